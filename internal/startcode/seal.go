package startcode

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// A download handle is 32 random bytes (base64url, 43 characters). The database keeps its
// SHA-256 (to find the batch) and the letters sealed with AES-256-GCM under a key derived from
// it: whoever reads the database without the handle — a backup, a replica — reads no codes.

// NewHandle returns a fresh download handle.
func NewHandle() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("startcode: crypto/rand: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HandleHash is what the database keeps of a handle.
func HandleHash(handle string) string {
	sum := sha256.Sum256([]byte("numo-letters-id\x00" + handle))
	return hex.EncodeToString(sum[:])
}

func handleKey(handle string) []byte {
	sum := sha256.Sum256([]byte("numo-letters-key\x00" + handle))
	return sum[:]
}

// errSealed means a sealed batch does not open with the handle.
var errSealed = errors.New("letters do not open with this handle")

func gcm(handle string) (cipher.AEAD, error) {
	block, err := aes.NewCipher(handleKey(handle))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Seal encrypts plain under the handle (random nonce in front).
func Seal(handle string, plain []byte) ([]byte, error) {
	aead, err := gcm(handle)
	if err != nil {
		return nil, fmt.Errorf("seal letters: %w", err)
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal letters: %w", err)
	}
	return aead.Seal(nonce, nonce, plain, []byte(HandleHash(handle))), nil
}

// Open decrypts what Seal made with the same handle.
func Open(handle string, sealed []byte) ([]byte, error) {
	aead, err := gcm(handle)
	if err != nil {
		return nil, fmt.Errorf("open letters: %w", err)
	}
	if len(sealed) < aead.NonceSize() {
		return nil, errSealed
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(HandleHash(handle)))
	if err != nil {
		return nil, errSealed
	}
	return plain, nil
}
