package providers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"golang.org/x/time/rate"

	"github.com/tokentop/tokentop/providers/safetext"
)

// KeyRefreshInterval is how often, at most, a KeySet fetches its JWKS again
// for a token whose kid it does not know (key rotation).
const KeyRefreshInterval = 5 * time.Minute

// KeySet is a provider's JSON Web Key Set, fetched with the provider's HTTP
// client (ca_file, timeout, no redirects). A token with an unknown kid makes
// it fetch the set again, at most once per KeyRefreshInterval, so a rotated
// key is found. It is safe for concurrent use.
type KeySet struct {
	// URL is where the set was fetched.
	URL     string
	kf      keyfunc.Keyfunc
	storage jwkset.Storage
}

// FetchKeySet fetches the JWKS at jwksURL for p. An http:// URL is refused
// for a host that is not loopback, unless p allows insecure_http: keys
// fetched in the clear prove nothing.
func (c *Client) FetchKeySet(ctx context.Context, p Provider, jwksURL string) (*KeySet, error) {
	u, err := url.Parse(jwksURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, &Error{Kind: KindConfig, Provider: p.Name, Description: fmt.Sprintf("jwks_uri %q is not an absolute http(s) URL", safetext.Line(jwksURL))}
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) && !p.InsecureHTTP {
		return nil, &Error{Kind: KindConfig, Provider: p.Name,
			Description: fmt.Sprintf("refusing to trust keys fetched over plain http from %s", u.Host),
			Hint:        "use an https jwks_uri, or set `insecure_http: true` on the provider if you really mean it"}
	}
	hc, err := c.httpClient(p)
	if err != nil {
		return nil, withProvider(err, p.Name)
	}
	hc.Transport = limitedBody{hc.Transport}
	st, err := jwkset.NewStorageFromHTTP(jwksURL, jwkset.HTTPClientStorageOptions{
		Client:      hc,
		Ctx:         ctx,
		HTTPTimeout: p.EffectiveTimeout(),
	})
	if err != nil {
		return nil, keySetError(ctx, p, jwksURL, err)
	}
	storage, err := jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
		HTTPURLs:          map[string]jwkset.Storage{jwksURL: st},
		RefreshUnknownKID: rate.NewLimiter(rate.Every(KeyRefreshInterval), 1),
		// The limiter is never waited for: the next token is minutes away,
		// past this deadline, so Wait returns at once and the kid is
		// reported unknown. The deadline only has to outlast a loaded
		// machine's scheduling.
		RateLimitWaitMax: 5 * time.Second,
	})
	if err != nil {
		return nil, &Error{Kind: KindConfig, Provider: p.Name, Description: "cannot use the JWKS", Err: err}
	}
	kf, err := keyfunc.New(keyfunc.Options{Ctx: ctx, Storage: storage})
	if err != nil {
		return nil, &Error{Kind: KindConfig, Provider: p.Name, Description: "cannot use the JWKS", Err: err}
	}
	return &KeySet{URL: safetext.Line(jwksURL), kf: kf, storage: storage}, nil
}

// keySetError words a failed JWKS fetch.
func keySetError(ctx context.Context, p Provider, jwksURL string, err error) *Error {
	var ue *url.Error
	if errors.As(err, &ue) {
		e := transportError(ctx, err, Provider{Name: p.Name, TokenURL: jwksURL, Timeout: p.Timeout})
		e.peer = "the JWKS endpoint"
		return e
	}
	e := &Error{Kind: KindResponse, Provider: p.Name, Description: "the JWKS at " + safetext.Line(jwksURL) + " is unusable", Err: err,
		Hint: "check jwks_uri (discovery's jwks_uri, or the provider's jwks_uri setting)"}
	if errors.Is(err, jwkset.ErrInvalidHTTPStatusCode) {
		e.Kind = KindHTTP
	}
	return e
}

// KeyIDs lists the kids the set holds now.
func (k *KeySet) KeyIDs(ctx context.Context) []string {
	all, err := k.storage.KeyReadAll(ctx)
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(all))
	for _, j := range all {
		out = append(out, safetext.Line(j.Marshal().KID))
	}
	return out
}

// keyAlg is the alg the JWK with that kid declares ("" when none or
// unknown). It reads only what is held, never fetches.
func (k *KeySet) keyAlg(ctx context.Context, kid string) string {
	all, err := k.storage.KeyReadAll(ctx)
	if err != nil {
		return ""
	}
	for _, j := range all {
		if m := j.Marshal(); m.KID == kid {
			return m.ALG.String()
		}
	}
	return ""
}

// has reports whether the set holds a key with that kid (without fetching).
func (k *KeySet) has(ctx context.Context, kid string) bool {
	all, err := k.storage.KeyReadAll(ctx)
	if err != nil {
		return false
	}
	for _, j := range all {
		if j.Marshal().KID == kid {
			return true
		}
	}
	return false
}

// limitedBody caps every response body at MaxBodyBytes (a JWKS is small).
type limitedBody struct{ rt http.RoundTripper }

func (l limitedBody) RoundTrip(r *http.Request) (*http.Response, error) {
	rt := l.rt
	if rt == nil {
		rt = http.DefaultTransport
	}
	resp, err := rt.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.LimitReader(resp.Body, MaxBodyBytes), resp.Body}
	return resp, nil
}

// KeySetFor fetches p's JWKS from jwks_uri in the config, else the one
// discovery named (d may be nil). Without keys it says why in noKeys,
// worded for VerifyOptions.NoKeys; source is "config" or "discovery".
func (c *Client) KeySetFor(ctx context.Context, p Provider, d *Discovery) (ks *KeySet, source, noKeys string) {
	u, source := JWKSURL(p, d)
	if u == "" {
		return nil, "", "no jwks_uri (discovery had none); set jwks_uri"
	}
	ks, err := c.FetchKeySet(ctx, p, u)
	if err != nil {
		return nil, source, "the JWKS could not be fetched: " + safetext.Line(err.Error())
	}
	return ks, source, ""
}
