package pubsub

// Channel is the PostgreSQL notification channel of the bus of the installation in schema: a
// NOTIFY on it with a JSON Event as payload, sent inside a transaction, reaches every
// process's subscribers of the event's topic when the transaction commits (package feed).
func Channel(schema string) string { return channelOf(schema) }
