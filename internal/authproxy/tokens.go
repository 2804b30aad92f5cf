package authproxy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// Engine is what the proxy needs of the store: tokens, and a place for
// its figures.
type Engine interface {
	Token(ctx context.Context, name string, o store.TokenOptions) (*store.TokenResult, error)
	RecordProxy(ctx context.Context, name string, f store.ProxyFigures, last store.CallRecord) error
}

var _ Engine = (*store.Store)(nil)

// errTooSoon refuses a forced fetch within ForceInterval of the last one.
var errTooSoon = errors.New("a new token was fetched less than the force interval ago")

// tokenSource holds one provider's token in memory for the proxy.
type tokenSource struct {
	name     string
	eng      Engine
	now      func() time.Time
	interval time.Duration // between forced fetches
	warn     func(string)
	// onForced hears of each token fetched because one was rejected.
	onForced func()

	mu         sync.Mutex
	cur        *providers.Token
	curAt      time.Time // when cur came from the engine
	lastForced time.Time

	// replacing joins the requests that saw the same token rejected.
	replacing singleflight.Group
}

// get returns the token to send: the one in memory while usable, else the
// engine's (cached there, or fetched once across processes).
func (s *tokenSource) get(ctx context.Context) (*providers.Token, error) {
	s.mu.Lock()
	cur, at := s.cur, s.curAt
	s.mu.Unlock()
	if cur.Usable(s.now()) || keyFresh(cur, at, s.now()) {
		return cur, nil
	}
	return s.fromEngine(ctx, store.TokenOptions{})
}

// fromEngine asks the engine and keeps the answer.
func (s *tokenSource) fromEngine(ctx context.Context, o store.TokenOptions) (*providers.Token, error) {
	res, err := s.eng.Token(ctx, s.name, o)
	if err != nil {
		return nil, err
	}
	for _, w := range res.Warnings {
		s.warn(w)
	}
	s.mu.Lock()
	s.cur, s.curAt = res.Token, s.now()
	s.mu.Unlock()
	return res.Token, nil
}

// replace returns a token other than rejected, which the upstream refused
// as invalid_token: the one another request already got, or the engine's
// if another process replaced it, else a new one, fetched once for every
// request that saw rejected. fetched is true when this call's flight
// fetched it. The fetch outlives a client that leaves: the others wait
// for it too, and the provider's timeout bounds it.
func (s *tokenSource) replace(ctx context.Context, rejected string) (tok *providers.Token, fetched bool, err error) {
	type answer struct {
		tok     *providers.Token
		fetched bool
	}
	v, err, _ := s.replacing.Do(rejected, func() (any, error) {
		fctx := context.WithoutCancel(ctx)
		now := s.now()
		s.mu.Lock()
		cur := s.cur
		s.mu.Unlock()
		if cur != nil && cur.AccessToken != rejected && cur.Usable(now) {
			return answer{tok: cur}, nil
		}
		t, err := s.fromEngine(fctx, store.TokenOptions{})
		if err != nil {
			return nil, err
		}
		if t.AccessToken != rejected {
			return answer{tok: t}, nil
		}
		s.mu.Lock()
		if !s.lastForced.IsZero() && now.Sub(s.lastForced) < s.interval {
			s.mu.Unlock()
			return nil, errTooSoon
		}
		s.lastForced = now
		s.mu.Unlock()
		t, err = s.fromEngine(fctx, store.TokenOptions{ForceRefresh: true})
		if err != nil {
			return nil, err
		}
		s.onForced()
		return answer{tok: t, fetched: true}, nil
	})
	if err != nil {
		return nil, false, err
	}
	a := v.(answer)
	return a.tok, a.fetched, nil
}

// authorization is the header value for tok: its type (Bearer when it
// names none, "bearer" written Bearer; a type that is not an RFC 9110
// token falls back to Bearer) and the token.
func authorization(tok *providers.Token) string {
	typ := strings.TrimSpace(tok.TokenType)
	if typ == "" || strings.EqualFold(typ, "bearer") || !isToken(typ) {
		typ = "Bearer"
	}
	return typ + " " + tok.AccessToken
}

// isToken reports whether s is an RFC 9110 token.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return s != ""
}

// tokenError is the body of a request the proxy answers itself because
// it has no token to send.
func tokenError(name string, err error) string {
	msg := fmt.Sprintf("tokentop proxy: no token for %s: %v", name, err)
	if h := providers.HintFor(err); h != "" {
		msg += "\nhint: " + h
	}
	return msg + "\n"
}
