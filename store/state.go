package store

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// ErrorRecord is the last failed attempt to get a provider's token.
type ErrorRecord struct {
	At      time.Time `json:"at"`
	Message string    `json:"message"`
	Hint    string    `json:"hint,omitempty"`
	// Kind is the providers.ErrorKind ("oauth", "transport", "quota", …),
	// empty for a failure outside the fetch itself.
	Kind   string `json:"kind,omitempty"`
	Status int    `json:"status,omitempty"`
}

// The bounds of a CallRecord.
const (
	maxCallText    = 200
	maxCallFigures = 8
)

// CallRecord is the last test-call of one of a provider's APIs.
type CallRecord struct {
	At       time.Time     `json:"at"`
	Endpoint string        `json:"endpoint"`
	Status   int           `json:"status"`
	Latency  time.Duration `json:"latency"`
	// RateLimit holds the rate-limit figures as shown (limit, remaining,
	// reset, …); see providers.RateLimit.Fields.
	RateLimit map[string]string `json:"rate_limit,omitempty"`
}

// stateRecord is what is known of a provider besides its token. It is
// stored as plain JSON, unsealed: it holds no secret. LastError is the
// error the fetch returned, which providers redacted (every secret by
// value, however the server spelled it, and every secret field by name)
// before it left the client; a refusal of tokentop's own quota quotes
// nothing. TestServerSpelledSecretsAppearNowhere (cli) reads the database
// file for every spelling of an echoed secret.
type stateRecord struct {
	// AuthStyleLearned is the style that worked last under auth_style auto.
	AuthStyleLearned providers.AuthStyle `json:"auth_style_learned,omitempty"`
	LastError        *ErrorRecord        `json:"last_error,omitempty"`
	LastCall         *CallRecord         `json:"last_call,omitempty"`
	// Proxy is what the last `tokentop proxy` for the provider counted.
	Proxy *ProxyFigures `json:"proxy,omitempty"`
	// NeedsLogin: a user grant's session is over until a login.
	NeedsLogin bool `json:"needs_login,omitempty"`
}

// errorRecord describes err for the state bucket.
func errorRecord(err error, at time.Time) *ErrorRecord {
	r := &ErrorRecord{At: at, Message: err.Error()}
	var pe *providers.Error
	if errors.As(err, &pe) {
		r.Message, r.Hint, r.Kind, r.Status = pe.Summary(), pe.Hint, string(pe.Kind), pe.Status
	}
	return r
}

// updateState applies fn to the provider's state record and saves it.
func (s *Store) updateState(tx kv.Tx, name string, fn func(*stateRecord)) error {
	var st stateRecord
	if _, err := s.getJSON(tx, bState, name, &st); err != nil {
		return err
	}
	fn(&st)
	return putJSON(tx, bState, name, st)
}

// RecordCall saves c as the provider's last test-call. The record is
// bounded whatever the API sent: the endpoint and each rate-limit figure
// are cut to 200 characters, and at most 8 figures are kept.
func (s *Store) RecordCall(ctx context.Context, name string, c CallRecord) error {
	c = c.bounded()
	return s.update(ctx, func(tx kv.Tx) error {
		if err := hasProvider(tx, name); err != nil {
			return err
		}
		return s.updateState(tx, name, func(st *stateRecord) { st.LastCall = &c })
	})
}

// bounded is c with its endpoint and rate-limit figures cut to the
// record's bounds.
func (c CallRecord) bounded() CallRecord {
	c.Endpoint = providers.Truncate(c.Endpoint, maxCallText)
	c.RateLimit = boundedFigures(c.RateLimit, func(v string) string { return providers.Truncate(v, maxCallText) })
	return c
}

// boundedFigures keeps at most maxCallFigures entries of m (the first by
// key), each key cut to maxCallText and each value passed through cut.
func boundedFigures[V any](m map[string]V, cut func(V) V) map[string]V {
	if m == nil {
		return nil
	}
	kept := make(map[string]V, min(len(m), maxCallFigures))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if len(kept) == maxCallFigures {
			break
		}
		kept[providers.Truncate(k, maxCallText)] = cut(m[k])
	}
	return kept
}

// ChangeCounter is a number every write to the database increases, from any
// process (the backend counts every transaction that writes); a dashboard
// polls it to notice changes made elsewhere.
func (s *Store) ChangeCounter(ctx context.Context) (uint64, error) {
	var n uint64
	err := s.view(ctx, func(tx kv.Tx) error {
		v, err := tx.Get(kv.P(bMeta), []byte(kChanges))
		n = kv.GetU64(v)
		return err
	})
	return n, err
}
