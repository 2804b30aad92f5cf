package sshd

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	gossh "golang.org/x/crypto/ssh"
)

// AdminOption is the authorized_keys option that gives a key full access
// when the server runs with Options.Demo:
//
//	tokentop-admin ssh-ed25519 AAAAC3Nz… alice@laptop
//
// OpenSSH's sshd refuses lines with options it does not know, so put it
// only in tokentop's own file, or list admin keys in a file of their own
// (Options.AdminKeys).
const AdminOption = "tokentop-admin"

// harmlessOption reports whether an authorized_keys option only forbids
// what tokentop never does (forwarding, ~/.ssh/rc), so a key carrying it is
// honoured. A key with any other option (command=, from=, restrict,
// no-pty, …) was meant to be limited in a way tokentop cannot honour, and
// is not let in.
func harmlessOption(name string) bool {
	switch name {
	case "no-agent-forwarding", "no-port-forwarding", "no-x11-forwarding", "no-user-rc":
		return true
	}
	return false
}

// authKey is one usable line of an authorized_keys file.
type authKey struct {
	key     gossh.PublicKey
	admin   bool
	comment string // the line's comment (alice@laptop), as written
}

// keyProblem is a line that was left out, and why.
type keyProblem struct {
	file string
	line int
	why  string
}

func (p keyProblem) String() string { return fmt.Sprintf("%s:%d: %s", p.file, p.line, p.why) }

// keyFiles are the files that say who may connect. They are read again on
// every attempt, so a key added while the server runs works at once and a
// key removed stops working at once.
type keyFiles struct {
	authorized string // required, except on an open server (none: any key gets in)
	admin      string // optional: every key in it has full access
}

// load reads the files given. A missing or unreadable file is an error; a
// line that cannot be used is reported and left out.
func (k keyFiles) load() ([]authKey, []keyProblem, error) {
	var keys []authKey
	var problems []keyProblem
	if k.authorized != "" {
		var err error
		if keys, problems, err = readAuthorizedKeys(k.authorized, false); err != nil {
			return nil, nil, err
		}
	}
	if k.admin != "" {
		ak, ap, err := readAuthorizedKeys(k.admin, true)
		if err != nil {
			return nil, nil, err
		}
		keys, problems = append(keys, ak...), append(problems, ap...)
	}
	return keys, problems, nil
}

// lookup finds key: ok says it may connect, admin that it has full access.
func (k keyFiles) lookup(key gossh.PublicKey) (ok, admin bool, err error) {
	if key == nil {
		return false, false, nil
	}
	keys, _, err := k.load()
	if err != nil {
		return false, false, err
	}
	want := key.Marshal()
	for _, ak := range keys {
		if bytes.Equal(ak.key.Marshal(), want) {
			ok = true
			admin = admin || ak.admin
		}
	}
	return ok, admin, nil
}

// readAuthorizedKeys parses an authorized_keys file: one key a line, in
// OpenSSH's format, blank lines and # comments skipped. allAdmin marks
// every key as an admin key.
func readAuthorizedKeys(path string, allAdmin bool) ([]authKey, []keyProblem, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("the authorized keys file %s does not exist", path)
		}
		return nil, nil, fmt.Errorf("cannot read the authorized keys file %s: %w", path, err)
	}
	var keys []authKey
	var problems []keyProblem
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		key, comment, options, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			problems = append(problems, keyProblem{path, n, "not a public key line"})
			continue
		}
		ak := authKey{key: key, admin: allAdmin, comment: comment}
		if _, isCert := key.(*gossh.Certificate); isCert {
			problems = append(problems, keyProblem{path, n, "certificates are not supported; list the key itself"})
			continue
		}
		var refused []string
		for _, o := range options {
			name := strings.ToLower(strings.SplitN(o, "=", 2)[0])
			switch {
			case name == AdminOption:
				ak.admin = true
			case !harmlessOption(name):
				refused = append(refused, name)
			}
		}
		if len(refused) > 0 {
			problems = append(problems, keyProblem{path, n, fmt.Sprintf("key %s left out: tokentop cannot honour its option %s", gossh.FingerprintSHA256(key), strings.Join(refused, ", "))})
			continue
		}
		keys = append(keys, ak)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("cannot read the authorized keys file %s: %w", path, err)
	}
	return keys, problems, nil
}
