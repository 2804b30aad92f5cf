package testsupport

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"sync"
)

// rsaKeyCount is how many distinct shared keys RSAKey hands out.
const rsaKeyCount = 8

// rsaKeys are made on first use, once per test binary.
var rsaKeys = func() (ks [rsaKeyCount]func() *rsa.PrivateKey) {
	for i := range ks {
		ks[i] = sync.OnceValue(func() *rsa.PrivateKey {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(fmt.Sprintf("testsupport: RSA key %d: %v", i, err))
			}
			return k
		})
	}
	return ks
}()

// RSAKey is the i-th (0 to 7) of a few 2048-bit RSA keys, each made once
// per test binary on first use: making one per test would dominate the run
// under -race. Tests that need keys that differ take different i.
func RSAKey(i int) *rsa.PrivateKey {
	if i < 0 || i >= rsaKeyCount {
		panic(fmt.Sprintf("testsupport: RSAKey(%d): there are %d shared keys", i, rsaKeyCount))
	}
	return rsaKeys[i]()
}
