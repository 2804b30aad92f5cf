package store

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/sandbox"
)

// BenchmarkRefreshAll refreshes every provider once against the in-process
// sandbox, 8 fetches at a time (the dashboard's bound for R).
func BenchmarkRefreshAll(b *testing.B) {
	for _, n := range []int{1000} {
		b.Run(fmt.Sprintf("providers=%d", n), func(b *testing.B) {
			sb := sandbox.New(sandbox.Options{})
			ts := httptest.NewServer(sb)
			defer ts.Close()
			ctx := context.Background()
			st, err := Open(ctx, Options{Path: filepath.Join(b.TempDir(), "tokentop.db")})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			ps := make([]providers.Provider, n)
			for i := range ps {
				id := fmt.Sprintf("client-%04d", i)
				sb.AddClient(sandbox.Client{Name: id, ClientID: id, ClientSecret: "secret-" + id, Style: sandbox.StyleCognito, Scopes: []string{"api/read"}})
				ps[i] = providers.Provider{Name: id, TokenURL: ts.URL + "/oauth2/token", ClientID: id, ClientSecret: "secret-" + id, AuthStyle: providers.AuthBasic, Scopes: []string{"api/read"}}
			}
			if err := st.PutProviders(ctx, ps); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				sem := make(chan struct{}, 8)
				var wg sync.WaitGroup
				errs := make(chan error, n)
				for _, p := range ps {
					wg.Add(1)
					sem <- struct{}{}
					go func() {
						defer wg.Done()
						defer func() { <-sem }()
						if _, err := st.Token(ctx, p.Name, TokenOptions{ForceRefresh: true, IgnoreQuota: true}); err != nil {
							errs <- err
						}
					}()
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/refresh-all")
		})
	}
}
