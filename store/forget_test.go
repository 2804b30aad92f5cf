package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
)

func TestForgetToken(t *testing.T) {
	ts := newTokenServer(t)
	s := openStore(t, Options{})
	ctx := context.Background()
	must(t, s.PutProvider(ctx, ts.provider("p")))
	first, err := s.Token(ctx, "p", TokenOptions{})
	must(t, err)

	// A token other than the one cached is not dropped.
	other := *first.Token
	other.IssuedAt = other.IssuedAt.Add(-time.Minute)
	if dropped, err := s.ForgetToken(ctx, "p", ForgetOptions{Only: &other}); err != nil || dropped {
		t.Fatalf("forget another token: %v %v", dropped, err)
	}
	ex := providers.Exchange{Provider: "p", Kind: "revocation", Method: "POST", URL: "https://as.example/revoke", Status: 200}
	dropped, err := s.ForgetToken(ctx, "p", ForgetOptions{Only: first.Token, Exchanges: []providers.Exchange{ex}})
	if err != nil || !dropped {
		t.Fatalf("forget: %v %v", dropped, err)
	}
	if _, err := s.CachedToken(ctx, "p"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("cached token after forget: %v", err)
	}
	hist, err := s.History(ctx, "p")
	must(t, err)
	if len(hist) != 2 || hist[0].Kind != "revocation" {
		t.Fatalf("history %+v", hist)
	}
	// The next call fetches a new token.
	next, err := s.Token(ctx, "p", TokenOptions{})
	must(t, err)
	if next.Cached || next.Token.AccessToken == first.Token.AccessToken || ts.Issued() != 2 {
		t.Fatalf("after forget: cached %v, issued %d", next.Cached, ts.Issued())
	}
	if dropped, err := s.ForgetToken(ctx, "nosuch", ForgetOptions{}); !errors.Is(err, ErrNotFound) || dropped {
		t.Fatalf("missing provider: %v", err)
	}
	must(t, s.RecordExchanges(ctx, "p", []providers.Exchange{{Provider: "p", Kind: "introspection"}}))
	if hist, _ := s.History(ctx, "p"); hist[0].Kind != "introspection" {
		t.Fatalf("history %+v", hist[0])
	}
}
