package importer

// DecodeText turns raw CSV bytes into valid UTF-8 text the way Parse does (byte order mark,
// UTF-8, UTF-16, else Windows-1252 per invalid byte) and names the encoding it found, so that
// readers of other CSV formats (internal/rosterset) decode exactly like the pupil import.
func DecodeText(data []byte) (text, encoding string) { return decode(data) }
