package feed

// SetBeforeHead makes h's new readers call fn after they subscribed to the bus and before they
// read their head (set it before the first Subscribe).
func SetBeforeHead(h *Hub, fn func(schoolID int)) { h.beforeHead = fn }
