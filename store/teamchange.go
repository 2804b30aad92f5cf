package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"filippo.io/age"

	"github.com/tokentop/tokentop/store/kv"
)

// TeamChange is what AddMember or RemoveMember did.
type TeamChange struct {
	// Member is the member added or removed.
	Member Member
	// Members is how many are on the list now; 0 means the list is gone
	// and everything is sealed to the key file beside the database again.
	Members int
	// KeyFile is that key file when Members is 0.
	KeyFile string
	// Secrets, Tokens and Exchanges count the records re-encrypted.
	Secrets, Tokens, Exchanges int
	// SecretsOf are the providers whose client secret was re-encrypted:
	// after a removal, the secrets to rotate.
	SecretsOf []string
	// SelfRemoved is set when the caller's own identities can no longer
	// read what is sealed from now on (they removed themselves).
	SelfRemoved bool
}

// Team is the database's recipient list in the order members were added;
// empty when everything is sealed to the key file beside the database.
func (s *Store) Team(ctx context.Context) ([]Member, error) {
	var out []Member
	err := s.view(ctx, func(tx kv.Tx) error {
		var err error
		out, err = s.readTeam(tx)
		return err
	})
	return out, err
}

// AddMember puts m on the recipient list and re-encrypts every secret,
// token and flight record to the new list, in one transaction. The caller
// must be able to decrypt them all, and, so that nobody locks themselves
// out, must be able to read what is sealed to the new list: a first member
// is the caller's own key. A key already on the list, or a label in use,
// is refused.
func (s *Store) AddMember(ctx context.Context, m Member) (TeamChange, error) {
	key, _, err := ParsePublicKey([]byte(m.Key))
	if err != nil {
		return TeamChange{}, fmt.Errorf("cannot add the key: %w", err)
	}
	m.Key = key
	if err := CheckLabel(m.Label); err != nil {
		return TeamChange{}, fmt.Errorf("cannot add the key: %w", err)
	}
	if m.Added.IsZero() {
		m.Added = s.now().UTC()
	}
	return s.changeTeam(ctx, m, func(list []Member) ([]Member, error) {
		for _, o := range list {
			switch {
			case o.Key == m.Key:
				return nil, fmt.Errorf("the key %s %s is already on the list, as %s", m.Type(), m.Fingerprint(), o.Label)
			case o.Label == m.Label:
				return nil, fmt.Errorf("the label %s is taken by %s %s: choose another with --label", m.Label, o.Type(), o.Fingerprint())
			}
		}
		if len(list) >= MaxMembers {
			return nil, fmt.Errorf("the list already holds %d members, the most it may", MaxMembers)
		}
		return append(slices.Clone(list), m), nil
	})
}

// RemoveMember takes the member named by which (its label, key or
// fingerprint) off the recipient list and re-encrypts every secret, token
// and flight record to the remaining members (to the key file beside the
// database when none remain), in one transaction; the caller must be able
// to decrypt them all. What the removed member read before, or copied,
// stays readable to them: rotate those secrets (TeamChange.SecretsOf).
func (s *Store) RemoveMember(ctx context.Context, which string) (TeamChange, error) {
	return s.changeTeam(ctx, Member{}, func(list []Member) ([]Member, error) {
		i := slices.IndexFunc(list, func(m Member) bool { return m.matches(which) })
		if i < 0 {
			return nil, newError(ErrNotFound, nil, "no member of the recipient list of %s is %q (see tokentop team ls)", s.where, which)
		}
		return slices.Delete(slices.Clone(list), i, i+1), nil
	})
}

// changeTeam replaces the recipient list with what edit makes of it and
// re-encrypts everything to the new list. The age work is done first,
// from a snapshot, with no lock held (a database of thousands of flight
// records takes seconds of it, and every process waits while the file is
// locked); then one write transaction re-reads the list, re-encrypts what
// changed since the snapshot, writes the precomputed rest and the new
// list: all or nothing.
func (s *Store) changeTeam(ctx context.Context, added Member, edit func([]Member) ([]Member, error)) (TeamChange, error) {
	var (
		plan *teamPlan
		snap []sealedValue
	)
	err := s.view(ctx, func(tx kv.Tx) error {
		var err error
		if plan, err = s.planTeam(tx, added, edit); err != nil {
			return err
		}
		return walkSealed(tx, func(v sealedValue) error {
			v.b, v.key, v.record = nil, nil, nil
			snap = append(snap, v)
			return nil
		})
	})
	if err != nil {
		return TeamChange{}, err
	}
	if err := plan.precompute(ctx, snap); err != nil {
		return TeamChange{}, err
	}

	var ch TeamChange
	err = s.update(ctx, func(tx kv.Tx) error {
		old, err := teamRaw(tx)
		if err != nil {
			return err
		}
		if !bytes.Equal(old, plan.oldRaw) {
			// Changed meanwhile: plan again; nothing precomputed fits.
			if plan, err = s.planTeam(tx, added, edit); err != nil {
				return err
			}
		}
		n, err := reseal(tx, plan.again)
		if err != nil {
			return resealError(err)
		}
		raw, err := writeTeam(tx, plan.next)
		if err != nil {
			return err
		}
		if _, _, err = s.keys.noteTeam(raw); err != nil {
			return err
		}
		ch = plan.change
		ch.Secrets, ch.Tokens, ch.Exchanges, ch.SecretsOf = n.secrets, n.tokens, n.exchanges, n.secretsOf
		return nil
	})
	if err != nil {
		return TeamChange{}, err
	}
	return ch, nil
}

func resealError(err error) error {
	return fmt.Errorf("cannot re-encrypt the secrets to the new list, so nothing was changed (only someone who can read every secret can change the list): %w", err)
}

// teamPlan is a change of the recipient list worked out from one reading
// of it.
type teamPlan struct {
	keys   *keyring
	oldRaw []byte // the list as read
	next   []Member
	rs     []age.Recipient // next's recipients
	change TeamChange      // what is said of it (counts not yet filled)
	// done maps a stored value (ciphertext, or an old plain record) to
	// its re-encryption, computed from a snapshot.
	done map[string][]byte
}

// planTeam reads the list in tx, applies edit, and refuses a change that
// would lock the caller out.
func (s *Store) planTeam(tx kv.Tx, added Member, edit func([]Member) ([]Member, error)) (*teamPlan, error) {
	old, err := s.readTeam(tx)
	if err != nil {
		return nil, err
	}
	next, err := edit(old)
	if err != nil {
		return nil, err
	}
	oldRaw, err := teamRaw(tx)
	if err != nil {
		return nil, err
	}
	p := &teamPlan{keys: s.keys, oldRaw: oldRaw, next: next,
		change: TeamChange{Member: added, Members: len(next)}}
	if added.Key == "" {
		p.change.Member = removedFrom(old, next)
	}
	if len(next) == 0 {
		p.change.KeyFile = s.keys.path
	}
	if p.rs, err = s.keys.recipientsOf(next); err != nil {
		return nil, err
	}
	can, err := s.keys.canOpen(p.rs)
	switch {
	case err != nil:
		return nil, err
	case !can && added.Key != "":
		return nil, newError(ErrIdentity, nil,
			"adding %s would leave you unable to read the secrets: none of your identities is on the new list "+
				"(add your own public key first: tokentop team add ~/.ssh/id_ed25519.pub, or an age key with TOKENTOP_IDENTITY set to its identity file)", added.Label)
	}
	p.change.SelfRemoved = !can
	return p, nil
}

// precompute re-encrypts the snapshot's values, no lock held.
func (p *teamPlan) precompute(ctx context.Context, snap []sealedValue) error {
	p.done = make(map[string][]byte, len(snap))
	for _, v := range snap {
		if err := ctx.Err(); err != nil {
			return err
		}
		out, err := p.recrypt(v.sealed, v.what, v.plain)
		if err != nil {
			return resealError(err)
		}
		p.done[string(v.sealed)] = out
	}
	return nil
}

// again is the re-encryption of a stored value: precomputed, or done now
// for a value written since the snapshot.
func (p *teamPlan) again(sealed []byte, what string, plain bool) ([]byte, error) {
	if out, ok := p.done[string(sealed)]; ok {
		return out, nil
	}
	return p.recrypt(sealed, what, plain)
}

func (p *teamPlan) recrypt(sealed []byte, what string, plain bool) ([]byte, error) {
	text := string(sealed)
	if !plain {
		var err error
		if text, err = p.keys.open(sealed, what); err != nil {
			return nil, err
		}
	}
	return p.keys.encrypt(p.rs, text)
}

// teamRaw is the stored list as it is in tx (nil when none).
func teamRaw(tx kv.Tx) ([]byte, error) {
	return tx.Get(kv.P(bMeta), []byte(kRecipients))
}

// removedFrom is the member of old that next lacks.
func removedFrom(old, next []Member) Member {
	for _, m := range old {
		if !slices.ContainsFunc(next, func(n Member) bool { return n.Key == m.Key }) {
			return m
		}
	}
	return Member{}
}

// recipientsOf are the recipients of a list: its members, or the key
// file's identity when it is empty (the key file is made when missing:
// everything is about to be sealed to it).
func (k *keyring) recipientsOf(members []Member) ([]age.Recipient, error) {
	if len(members) > 0 {
		rs := make([]age.Recipient, 0, len(members))
		for _, m := range members {
			r, err := m.recipient()
			if err != nil {
				return nil, fmt.Errorf("member %s: %w", m.Label, err)
			}
			rs = append(rs, r)
		}
		return rs, nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.id = nil // the key file as it is now, not as it was at opening
	id, err := k.loadLocked()
	if err == nil && id == nil {
		id, err = k.create()
		k.id = id
	}
	if err != nil {
		return nil, err
	}
	return []age.Recipient{id.Recipient()}, nil
}

// canOpen reports whether the user's identities open what is sealed to
// rs.
func (k *keyring) canOpen(rs []age.Recipient) (bool, error) {
	probe, err := k.encrypt(rs, "tokentop")
	if err != nil {
		return false, err
	}
	ids, err := k.allIdentities()
	if err != nil || len(ids) == 0 {
		return false, err
	}
	_, err = decrypt(probe, ids...)
	if errors.Is(err, age.ErrIncorrectIdentity) {
		return false, nil
	}
	return err == nil, err
}
