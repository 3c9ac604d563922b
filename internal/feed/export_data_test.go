package feed

// The encoders of an entry's data, for TestDataJSON.
var (
	AppendAccountData = appendAccountData
	AppendClassData   = appendClassData
)
