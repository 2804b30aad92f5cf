package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// Summary is everything `ls`, `show` and the dashboard show of a provider,
// read without decrypting anything.
type Summary struct {
	// Provider is the provider, without its secret.
	Provider providers.Provider
	// Token is the cached token's metadata (AccessToken empty), nil when
	// there is none.
	Token *providers.Token
	Quota QuotaUsage
	// Recent are the tokens issued per UTC day over the last RecentDays
	// days, oldest first, today last.
	Recent    [RecentDays]int
	LastError *ErrorRecord
	LastCall  *CallRecord
	// Proxy is what the last `tokentop proxy` for the provider counted,
	// nil when none ran.
	Proxy *ProxyFigures
	// AuthStyleLearned is the style that worked last under auth_style auto.
	AuthStyleLearned providers.AuthStyle
	HasSecret        bool
}

// Status is the provider's state at now: error when the last attempt
// failed after the cached token was issued (or failed and there is no
// token), else the token's expiry state.
func (sm Summary) Status(now time.Time) providers.Status {
	if sm.Provider.IsAPIKey() {
		return sm.keyStatus(now)
	}
	if sm.LastError != nil && (sm.Token == nil || sm.LastError.At.After(sm.Token.IssuedAt)) {
		return providers.StatusError
	}
	if sm.Token == nil {
		return providers.StatusNone
	}
	return sm.Token.Status(now)
}

// tokenMeta decodes a tokenRecord without its sealed access token.
type tokenMeta struct {
	Token providers.Token `json:"token"`
}

// Summaries summarises every provider, sorted by name, in one read
// transaction.
func (s *Store) Summaries(ctx context.Context) ([]Summary, error) {
	var out []Summary
	now := s.now()
	err := s.view(ctx, func(tx kv.Tx) error {
		out = out[:0] // a backend may run fn again
		return tx.Scan(kv.P(bProviders), kv.ScanOptions{}, func(k, v []byte) error {
			var sm Summary
			if err := json.Unmarshal(v, &sm.Provider); err != nil {
				return corruptError(s.where, err, "its providers record of %s is unreadable: %v", k, err)
			}
			if err := s.fillSummary(tx, &sm, now); err != nil {
				return err
			}
			out = append(out, sm)
			return nil
		})
	})
	return out, err
}

// Summary summarises one provider.
func (s *Store) Summary(ctx context.Context, name string) (Summary, error) {
	var sm Summary
	now := s.now()
	err := s.view(ctx, func(tx kv.Tx) error {
		var err error
		if sm.Provider, err = s.getProvider(tx, name); err != nil {
			return err
		}
		return s.fillSummary(tx, &sm, now)
	})
	return sm, err
}

func (s *Store) fillSummary(tx kv.Tx, sm *Summary, now time.Time) error {
	name := sm.Provider.Name
	var tm tokenMeta
	ok, err := s.getJSON(tx, bTokens, name, &tm)
	if err != nil {
		return err
	}
	if ok {
		tm.Token.AccessToken = ""
		sm.Token = &tm.Token
	}
	if sm.Provider.IsAPIKey() {
		sm.Token = sm.Provider.KeyToken("") // its dates; the key stays sealed
	}
	var st stateRecord
	if _, err := s.getJSON(tx, bState, name, &st); err != nil {
		return err
	}
	sm.LastError, sm.LastCall, sm.AuthStyleLearned, sm.Proxy = st.LastError, st.LastCall, st.AuthStyleLearned, st.Proxy
	if sm.Quota, err = usage(tx, sm.Provider, now); err != nil {
		return err
	}
	if sm.Recent, err = recentDays(tx, name, now); err != nil {
		return err
	}
	sm.HasSecret, err = has(tx, bSecrets, name)
	return err
}
