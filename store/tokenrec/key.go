package tokenrec

import (
	"bytes"
	"fmt"

	"filippo.io/age"
	"filippo.io/age/armor"
)

// KeyProtected reports whether the key file's content data is encrypted
// to a passphrase (armored or binary age) rather than a plain identity.
func KeyProtected(data []byte) bool {
	trimmed := bytes.TrimSpace(data)
	return bytes.HasPrefix(trimmed, []byte(armor.Header)) || bytes.HasPrefix(trimmed, []byte("age-encryption.org/"))
}

// KeyIdentity is the first X25519 identity of the plain key file at path
// whose content is data.
func KeyIdentity(path string, data []byte) (*age.X25519Identity, error) {
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("key file %s is damaged: %w", path, err)
	}
	for _, id := range ids {
		if x, ok := id.(*age.X25519Identity); ok {
			return x, nil
		}
	}
	return nil, fmt.Errorf("key file %s holds no X25519 identity", path)
}
