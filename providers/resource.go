package providers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/tokentop/tokentop/providers/headers"
	"github.com/tokentop/tokentop/providers/safetext"
)

// maxResourceMetadataBytes bounds an RFC 9728 document (a few hundred
// bytes in practice).
const maxResourceMetadataBytes = 64 << 10

// ResourceOffer is an API's own identifier, for the audience or resource
// to ask a token for, and where it was read.
type ResourceOffer struct {
	Value, From string
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
// the well-known URL of §3.1. The zero offer means it said nothing.
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
	var tried []string
	if known != "" {
		tried = append(tried, known)
	} else if meta := challengedMetadata(ctx, hc, apiURL); meta != "" {
		tried = append(tried, meta)
	}
	if wk := ProtectedResourceURL(apiURL); wk != "" {
		tried = append(tried, wk)
	}
	for _, u := range tried {
		if res, err := fetchResourceMetadata(ctx, hc, p, u); err == nil {
			return ResourceOffer{Value: res, From: "RFC 9728 metadata at " + safetext.Line(u)}
		}
	}
	return ResourceOffer{}
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
// maxResourceMetadataBytes of it, and returns its resource. Plain http is
// refused off loopback unless p allows it, as for a JWKS: an identifier
// read in the clear would say what to ask tokens for.
func fetchResourceMetadata(ctx context.Context, hc *http.Client, p Provider, metaURL string) (string, error) {
	u, err := url.Parse(metaURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("resource metadata URL %q is not absolute http(s)", safetext.Line(metaURL))
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) && !p.InsecureHTTP {
		return "", fmt.Errorf("refusing resource metadata over plain http from %s", safetext.Line(u.Host))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metaURL, nil)
	if err != nil {
		return "", fmt.Errorf("resource metadata: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "tokentop")
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("resource metadata: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("resource metadata at %s: status %d", safetext.Line(metaURL), resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResourceMetadataBytes+1))
	if err != nil || len(body) > maxResourceMetadataBytes {
		return "", fmt.Errorf("resource metadata at %s: unreadable or larger than %d bytes", safetext.Line(metaURL), maxResourceMetadataBytes)
	}
	var doc struct {
		Resource string `json:"resource"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("resource metadata at %s: %w", safetext.Line(metaURL), err)
	}
	res := safetext.Line(doc.Resource)
	if res == "" {
		return "", fmt.Errorf("resource metadata at %s names no resource", safetext.Line(metaURL))
	}
	return Truncate(res, 300), nil
}
