package store

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"

	"github.com/tokentop/tokentop/store/kv"
	"github.com/tokentop/tokentop/store/tokenrec"
)

// The recipient list: who can read a database's secrets.
const (
	// kRecipients in the meta bucket holds the team's recipient list
	// (teamList JSON). Missing or empty: everything is sealed to the key
	// file beside the database, as before teams.
	kRecipients = tokenrec.RecipientsKey

	// MaxMembers bounds a recipient list: every sealed value carries one
	// stanza per member.
	MaxMembers = 100
	// MaxLabelLen bounds a member's label, in bytes.
	MaxLabelLen = 64
	// maxTeamList bounds the stored list read back (a hundred members with
	// their keys and labels take about 20 KiB).
	maxTeamList = 256 << 10
)

// Key types of a Member.
const (
	KeyTypeAge = "age"         // an age X25519 public key, age1…
	KeyTypeSSH = "ssh-ed25519" // an SSH ed25519 public key
)

// Member is one recipient of a team database's secrets: a public key and
// a label to know it by. Private keys are never stored.
type Member struct {
	// Label names the member ("alice", "ci-runners"); unique in a list.
	Label string `json:"label"`
	// Key is the public key: "age1…" or "ssh-ed25519 AAAA…" (no comment).
	Key string `json:"key"`
	// Added is when the member was added.
	Added time.Time `json:"added"`
}

// Type is KeyTypeAge or KeyTypeSSH ("unknown" for anything else).
func (m Member) Type() string {
	switch {
	case strings.HasPrefix(m.Key, "age1"):
		return KeyTypeAge
	case strings.HasPrefix(m.Key, KeyTypeSSH+" "):
		return KeyTypeSSH
	}
	return "unknown"
}

// Fingerprint identifies the key in a listing: for an SSH key its usual
// SHA256 fingerprint (as ssh-keygen -l prints it); for an age key the
// SHA256 of the key as written (age has no fingerprint of its own).
func (m Member) Fingerprint() string {
	if m.Type() == KeyTypeSSH {
		if pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(m.Key)); err == nil {
			return ssh.FingerprintSHA256(pub)
		}
	}
	sum := sha256.Sum256([]byte(m.Key))
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// recipient is the key as age seals to it.
func (m Member) recipient() (age.Recipient, error) {
	switch m.Type() {
	case KeyTypeAge:
		return age.ParseX25519Recipient(m.Key)
	case KeyTypeSSH:
		return agessh.ParseRecipient(m.Key)
	}
	return nil, errors.New("not an age or SSH ed25519 public key")
}

// describe is the member for a message: label, type and fingerprint.
func (m Member) describe() string {
	return fmt.Sprintf("%s (%s %s)", m.Label, m.Type(), m.Fingerprint())
}

// ParsePublicKey reads the one public key in text: an age X25519 public
// key ("age1…") or an SSH ed25519 public key in authorized_keys form
// ("ssh-ed25519 AAAA… comment"), alone or as the only key line of a file
// (blank lines and # comments are skipped). It returns the key as a
// Member stores it and the SSH key's comment, a default label. Private
// keys are refused, and no error quotes the text.
func ParsePublicKey(text []byte) (key, comment string, err error) {
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 0, 4096), maxTeamList)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if key != "" {
			return "", "", errors.New("it holds more than one key: give one key at a time")
		}
		if key, comment, err = parseKeyLine(line); err != nil {
			return "", "", err
		}
	}
	if err := sc.Err(); err != nil {
		return "", "", fmt.Errorf("reading the key: %w", err)
	}
	if key == "" {
		return "", "", errors.New("it holds no public key")
	}
	return key, comment, nil
}

func parseKeyLine(line string) (key, comment string, err error) {
	switch {
	case strings.HasPrefix(line, "AGE-SECRET-KEY-"), strings.HasPrefix(line, "-----BEGIN"):
		return "", "", errors.New("that is a private key: give the public key (age-keygen -y FILE, or the .pub file beside an SSH key); keep the private key to yourself")
	case strings.HasPrefix(line, "age1pq1"):
		return "", "", errors.New("post-quantum age keys cannot be mixed with SSH keys in one list: use an age X25519 key (age-keygen) or an SSH ed25519 key")
	case strings.HasPrefix(line, "age1"):
		f := strings.Fields(line)
		r, err := age.ParseX25519Recipient(f[0])
		if err != nil {
			return "", "", fmt.Errorf("not a valid age public key: %w", err)
		}
		return r.String(), "", nil
	case strings.HasPrefix(line, "ssh-"), strings.HasPrefix(line, "ecdsa-"), strings.HasPrefix(line, "sk-"):
		pub, c, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			return "", "", fmt.Errorf("not a valid SSH public key: %w", err)
		}
		if pub.Type() != KeyTypeSSH {
			return "", "", fmt.Errorf("an SSH key of type %s: only ssh-ed25519 keys can be recipients (ssh-keygen -t ed25519)", pub.Type())
		}
		if _, err := agessh.NewEd25519Recipient(pub); err != nil {
			return "", "", fmt.Errorf("not a usable SSH ed25519 key: %w", err)
		}
		return sshKeyString(pub), c, nil
	}
	return "", "", errors.New("not a public key: give an age public key (age1…) or an SSH ed25519 public key (ssh-ed25519 AAAA…), or a file holding one")
}

// CheckLabel reports whether label may name a member: 1 to MaxLabelLen
// bytes of printable text, no control characters.
func CheckLabel(label string) error {
	switch {
	case label == "":
		return errors.New("the label is empty")
	case len(label) > MaxLabelLen:
		return fmt.Errorf("the label is longer than %d bytes", MaxLabelLen)
	case !utf8.ValidString(label):
		return errors.New("the label is not valid UTF-8")
	}
	for _, r := range label {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("the label holds the character %U: use printable text", r)
		}
	}
	return nil
}

// DefaultLabel is the label of a key added without one: the SSH key's
// comment when it makes a label, else its type and the start of its
// fingerprint.
func DefaultLabel(key, comment string) string {
	if CheckLabel(comment) == nil {
		return comment
	}
	m := Member{Key: key}
	return m.Type() + "-" + strings.TrimPrefix(m.Fingerprint(), "SHA256:")[:8]
}

// teamList is the stored recipient list.
type teamList struct {
	Members []Member `json:"members"`
}

// decodeTeam reads a stored list, refusing one that is not tokentop's:
// too large, unreadable, too many members, or a key age cannot seal to.
func decodeTeam(raw []byte) ([]Member, []age.Recipient, error) {
	if len(raw) > maxTeamList {
		return nil, nil, fmt.Errorf("the recipient list is larger than %d KiB", maxTeamList>>10)
	}
	var l teamList
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, nil, fmt.Errorf("the recipient list is unreadable: %w", err)
	}
	if len(l.Members) > MaxMembers {
		return nil, nil, fmt.Errorf("the recipient list holds %d members, more than %d", len(l.Members), MaxMembers)
	}
	rs := make([]age.Recipient, 0, len(l.Members))
	for i, m := range l.Members {
		r, err := m.recipient()
		if err != nil {
			return nil, nil, fmt.Errorf("member %d of the recipient list: %w", i+1, err)
		}
		rs = append(rs, r)
	}
	return l.Members, rs, nil
}

// readTeam is the list stored in tx (nil when none).
func (s *Store) readTeam(tx kv.Tx) ([]Member, error) {
	raw, err := teamRaw(tx)
	if err != nil || len(raw) == 0 {
		return nil, err
	}
	members, _, err := decodeTeam(raw)
	if err != nil {
		return nil, corruptError(s.where, err, "%v", err)
	}
	return members, nil
}

// writeTeam stores the list in tx, deleting it when empty.
func writeTeam(tx kv.Tx, members []Member) ([]byte, error) {
	if len(members) == 0 {
		return nil, tx.Delete(kv.P(bMeta), []byte(kRecipients))
	}
	raw, err := json.Marshal(teamList{Members: members})
	if err != nil {
		return nil, fmt.Errorf("encoding the recipient list: %w", err)
	}
	return raw, tx.Put(kv.P(bMeta), []byte(kRecipients), raw)
}

// matches reports whether m is the member which names: its key (with or
// without a comment), its fingerprint or its label.
func (m Member) matches(which string) bool {
	which = strings.TrimSpace(which)
	if which == m.Label || which == m.Fingerprint() || which == m.Key {
		return true
	}
	if key, _, err := ParsePublicKey([]byte(which)); err == nil {
		return key == m.Key
	}
	return false
}
