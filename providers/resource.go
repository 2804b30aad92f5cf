package providers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/tokentop/tokentop/providers/headers"
	"github.com/tokentop/tokentop/providers/safetext"
)

// maxResourceMetadataBytes bounds an RFC 9728 document (a few hundred
// bytes in practice).
const maxResourceMetadataBytes = 64 << 10

// ResourceOffer is an API's own identifier, for the audience or resource
// to ask a token for, and where it was read. The value is offered only
// from a document RFC 9728 lets a client use; otherwise Ignored says why
// there is none, and a document whose authorization_servers leave out
// the provider's issuer names them in Servers instead.
type ResourceOffer struct {
	Value, From string
	// Servers are the metadata's authorization_servers when the
	// provider's issuer is not among them: the API takes no token of
	// this provider's, whatever its audience. Value is then the API's
	// identifier, for the words only: it is not offered.
	Servers []string
	// Ignored says why a metadata document was not used (RFC 9728 §3.3,
	// plain http on another origin), "" when none was ignored.
	Ignored string
}

// Offered reports an identifier to set: read from metadata that names
// the provider's issuer among its authorization servers, or no servers.
func (o ResourceOffer) Offered() bool { return o.Value != "" && len(o.Servers) == 0 }

// note is what an offer adds to a hint that offers no value: why the
// metadata was ignored, or whose servers the API trusts.
func (o ResourceOffer) note(p Provider) string {
	switch {
	case len(o.Servers) > 0:
		return fmt.Sprintf("; the API names itself %s (%s) and takes tokens from %s only, not from %s's issuer %s: no audience will do, use a provider of that server",
			o.Value, o.From, strings.Join(o.Servers, " "), p.Name, providerIssuer(p))
	case o.Ignored != "":
		return "; " + o.Ignored
	}
	return ""
}

// ProtectedResourceURL is where RFC 9728 §3.1 puts the metadata of the
// resource at apiURL: /.well-known/oauth-protected-resource inserted
// between the host and the path; "" for a URL that is not absolute http(s).
func ProtectedResourceURL(apiURL string) string {
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	return u.Scheme + "://" + u.Host + "/.well-known/oauth-protected-resource" + strings.TrimRight(u.EscapedPath(), "/")
}

// FindResource asks the API at apiURL who it is, best effort and bounded
// by ctx and p's timeout: the metadata a challenge already named (known,
// "" for none), else as RFC 9728 §5.1 has it, a request without a token
// whose 401 names its metadata (WWW-Authenticate resource_metadata), then
// the well-known URL of §3.1. A document is used only when its resource is
// the identifier its URL was derived from (§3.3), and a challenge's URL is
// followed only on the API's origin, or over https saying whose it is.
// The zero offer means it said nothing; Ignored says why a document was
// not used. The token request's hint, the doctor and every test-call
// (`tokentop call`, the dashboard's) read the API through it.
func (c *Client) FindResource(ctx context.Context, p Provider, apiURL, known string) ResourceOffer {
	if apiURL == "" && known == "" {
		return ResourceOffer{}
	}
	hc, err := c.httpClient(p)
	if err != nil {
		return ResourceOffer{}
	}
	ctx, cancel := context.WithTimeout(ctx, p.EffectiveTimeout())
	defer cancel()
	if known == "" && apiURL != "" {
		known = challengedMetadata(ctx, hc, apiURL)
	}
	var ignored []string
	tried := make([]string, 0, 2)
	if known != "" {
		if why := foreignMetadata(apiURL, known); why != "" {
			ignored = append(ignored, why)
		} else {
			tried = append(tried, known)
		}
	}
	if wk := ProtectedResourceURL(apiURL); wk != "" && wk != known {
		tried = append(tried, wk)
	}
	for _, u := range tried {
		doc, err := fetchResourceMetadata(ctx, hc, p, u)
		if err != nil {
			continue
		}
		if why := doc.mismatch(apiURL, u); why != "" {
			ignored = append(ignored, why)
			continue
		}
		offer := ResourceOffer{Value: doc.resource, From: "RFC 9728 metadata at " + safetext.Line(u) + whoseMetadata(apiURL, u)}
		if len(doc.servers) > 0 && !slices.ContainsFunc(doc.servers, func(s string) bool { return issuerOf(p, s) }) {
			offer.Servers = doc.servers
		}
		return offer
	}
	return ResourceOffer{Ignored: strings.Join(ignored, "; ")}
}

// resourceDoc is what tokentop reads of an RFC 9728 document: its
// resource and authorization_servers, sanitised and cut.
type resourceDoc struct {
	resource string
	servers  []string
}

// maxAuthorizationServers bounds the servers kept of a document.
const maxAuthorizationServers = 8

// mismatch applies RFC 9728 §3.3: the resource must be the identifier
// metaURL was derived from (the well-known segment taken out); a
// metadata URL of another form, which only a challenge names, must
// describe the API at apiURL or a path above it. It says why the document
// is ignored, "" when it may be used.
func (d resourceDoc) mismatch(apiURL, metaURL string) string {
	want, derived := resourceIdentifier(metaURL)
	if derived && sameURL(d.resource, want) {
		return ""
	}
	if !derived && apiURL != "" && pathAbove(d.resource, apiURL) {
		return ""
	}
	if !derived {
		want = apiURL
	}
	return fmt.Sprintf("the RFC 9728 metadata at %s was ignored: its resource %s is not %s, the identifier it must name (RFC 9728 §3.3); the API's operators must fix it",
		safetext.Line(metaURL), d.resource, safetext.Line(want))
}

// resourceIdentifier is the resource identifier a well-known metadata URL
// was derived from (RFC 9728 §3.1 undone), and false for a URL of another
// form.
func resourceIdentifier(metaURL string) (string, bool) {
	const wk = "/.well-known/oauth-protected-resource"
	u, err := url.Parse(metaURL)
	if err != nil || u.Host == "" {
		return "", false
	}
	rest, ok := strings.CutPrefix(u.EscapedPath(), wk)
	if !ok || (rest != "" && rest[0] != '/') {
		return "", false
	}
	return u.Scheme + "://" + u.Host + rest, true
}

// pathAbove reports whether resource is apiURL or a path above it on the
// same origin.
func pathAbove(resource, apiURL string) bool {
	r, err1 := url.Parse(resource)
	a, err2 := url.Parse(apiURL)
	if err1 != nil || err2 != nil || r.Scheme != a.Scheme || !strings.EqualFold(r.Host, a.Host) {
		return false
	}
	rp, ap := strings.TrimRight(r.EscapedPath(), "/"), strings.TrimRight(a.EscapedPath(), "/")
	return rp == ap || strings.HasPrefix(ap, rp+"/")
}

// sameOrigin reports whether two URLs share scheme, host and port.
func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Scheme == ub.Scheme && strings.EqualFold(ua.Host, ub.Host)
}

// foreignMetadata says why a challenge's resource_metadata on another
// origin than the API's is not followed: only https is, "" then.
func foreignMetadata(apiURL, metaURL string) string {
	if apiURL == "" || sameOrigin(apiURL, metaURL) {
		return ""
	}
	if u, err := url.Parse(metaURL); err == nil && u.Scheme == "https" && u.Host != "" {
		return ""
	}
	return fmt.Sprintf("the API's challenge names resource_metadata %s, on another origin and not https: not followed", safetext.Line(Truncate(metaURL, 300)))
}

// whoseMetadata says whose a document on another origin than the API's
// is: ", served by HOST, not the API's host".
func whoseMetadata(apiURL, metaURL string) string {
	if apiURL == "" || sameOrigin(apiURL, metaURL) {
		return ""
	}
	u, _ := url.Parse(metaURL)
	a, _ := url.Parse(apiURL)
	return fmt.Sprintf(", served by %s, not the API's host %s", safetext.Line(u.Host), safetext.Line(a.Host))
}

// providerIssuer is p's issuer as a hint names it: the configured one,
// else token_url's origin.
func providerIssuer(p Provider) string {
	return safetext.Line(DiscoveryBase(p))
}

// issuerOf reports whether server is p's issuer: the configured issuer
// (a trailing slash aside), else any server on token_url's origin.
func issuerOf(p Provider, server string) bool {
	if p.Issuer != "" {
		return sameURL(server, p.Issuer)
	}
	return p.TokenURL != "" && sameOrigin(server, p.TokenURL)
}

// challengedMetadata GETs apiURL without a token and returns the
// resource_metadata of its Bearer challenge, "" when none.
func challengedMetadata(ctx context.Context, hc *http.Client, apiURL string) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, apiURL, nil)
	if err != nil {
		return ""
	}
	req.Header.Set("User-Agent", "tokentop")
	resp, err := hc.Do(req)
	if err != nil {
		return ""
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResourceMetadataBytes))
	resp.Body.Close()
	return headers.ResourceMetadata(resp.Header.Values("WWW-Authenticate")...)
}

// fetchResourceMetadata GETs an RFC 9728 document, at most
// maxResourceMetadataBytes of it, and returns its resource and
// authorization servers. Plain http is
// refused off loopback unless p allows it, as for a JWKS: an identifier
// read in the clear would say what to ask tokens for.
func fetchResourceMetadata(ctx context.Context, hc *http.Client, p Provider, metaURL string) (resourceDoc, error) {
	u, err := url.Parse(metaURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return resourceDoc{}, fmt.Errorf("resource metadata URL %q is not absolute http(s)", safetext.Line(metaURL))
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) && !p.InsecureHTTP {
		return resourceDoc{}, fmt.Errorf("refusing resource metadata over plain http from %s", safetext.Line(u.Host))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metaURL, nil)
	if err != nil {
		return resourceDoc{}, fmt.Errorf("resource metadata: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "tokentop")
	resp, err := hc.Do(req)
	if err != nil {
		return resourceDoc{}, fmt.Errorf("resource metadata: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resourceDoc{}, fmt.Errorf("resource metadata at %s: status %d", safetext.Line(metaURL), resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResourceMetadataBytes+1))
	if err != nil || len(body) > maxResourceMetadataBytes {
		return resourceDoc{}, fmt.Errorf("resource metadata at %s: unreadable or larger than %d bytes", safetext.Line(metaURL), maxResourceMetadataBytes)
	}
	var doc struct {
		Resource string `json:"resource"`
		Servers  []any  `json:"authorization_servers"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return resourceDoc{}, fmt.Errorf("resource metadata at %s: %w", safetext.Line(metaURL), err)
	}
	res := safetext.Line(doc.Resource)
	if res == "" {
		return resourceDoc{}, fmt.Errorf("resource metadata at %s names no resource", safetext.Line(metaURL))
	}
	out := resourceDoc{resource: Truncate(res, 300)}
	for _, s := range doc.Servers {
		if str, ok := s.(string); ok && str != "" && len(out.servers) < maxAuthorizationServers {
			out.servers = append(out.servers, Truncate(safetext.Line(str), 300))
		}
	}
	return out, nil
}
