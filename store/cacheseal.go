package store

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/tokentop/tokentop/store/kv"
)

// A local cache of a team's shared store is sealed to the machine's own
// members of the team's recipient list: the identities of this machine
// (its key file's, its identity files') that are on the shared list. So a
// machine's copy is readable only with that machine's identity, as the
// shared store is only with a member's; a shared store without a list
// leaves its cache sealed to the key file, as before teams.

// ownMembers are the members of list whose keys are the user's: the key
// file's public key and the identity files'. Nil when list is empty.
func (k *keyring) ownMembers(list []Member) ([]Member, error) {
	if len(list) == 0 {
		return nil, nil
	}
	id, err := k.keyFileIdentity()
	if err != nil {
		return nil, err
	}
	files, err := k.identityFilesLoaded()
	if err != nil {
		return nil, err
	}
	mine := map[string]bool{}
	if id != nil {
		mine[id.Recipient().String()] = true
	}
	for _, f := range files {
		for _, p := range f.pubs {
			mine[p] = true
		}
	}
	var out []Member
	for _, m := range list {
		if mine[m.Key] {
			out = append(out, m)
		}
	}
	return out, nil
}

// sealTo makes members the recipient list of s in tx (none: the key file),
// re-encrypting what s holds when the list changes. Nothing is written
// when it is already so.
func (s *Store) sealTo(tx kv.Tx, members []Member) error {
	var want []byte
	if len(members) > 0 {
		var err error
		if want, err = json.Marshal(teamList{Members: members}); err != nil {
			return fmt.Errorf("encoding the recipient list: %w", err)
		}
	}
	old, err := teamRaw(tx)
	if err != nil || bytes.Equal(old, want) {
		return err
	}
	rs, err := s.keys.recipientsOf(members)
	if err != nil {
		return err
	}
	if _, err := reseal(tx, func(sealed []byte, what string, plain bool) ([]byte, error) {
		text := string(sealed)
		if !plain {
			var err error
			if text, err = s.keys.open(sealed, what); err != nil {
				return nil, err
			}
		}
		return s.keys.encrypt(rs, text)
	}); err != nil {
		return fmt.Errorf("re-encrypting the local copy in %s to this machine's identities: %w", s.where, err)
	}
	raw, err := writeTeam(tx, members)
	if err != nil {
		return err
	}
	_, _, err = s.keys.noteTeam(raw)
	return err
}
