package sandbox

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// grant is what a token is issued for.
type grant struct {
	client   Client
	issuer   string
	origin   string // the server's URL as the request saw it
	audience string // empty: origin + "/api"
	scopes   []string
}

// newGrant is a grant for c as seen by r: the issuer of c's style.
func newGrant(r *http.Request, c Client, scopes []string) grant {
	return grant{client: c, issuer: styleIssuer(r, c.Style), origin: issuer(r), scopes: scopes}
}

// issued is a token as handed out. expiresAt keeps sub-second precision;
// a JWT's exp claim holds it rounded down to the second.
type issued struct {
	token     string
	expiresAt time.Time
}

// opaqueToken is what the server remembers of an opaque access token.
type opaqueToken struct {
	subject   string
	scopes    []string
	issuer    string
	issuedAt  time.Time
	expiresAt time.Time
}

// monthCount counts tokens issued to a client in one calendar month.
type monthCount struct {
	month string // "2006-01", UTC
	n     int
}

// quotaError is returned by record when a client's monthly quota is spent.
type quotaError struct {
	limit      int
	retryAfter time.Duration
}

// Error is the message Auth0 sends: "Quota exceeded: 1000 tokens per month".
func (e *quotaError) Error() string {
	return fmt.Sprintf("Quota exceeded: %d tokens per month", e.limit)
}

// randomString returns n random bytes in the given base64 encoding.
func randomString(n int, enc *base64.Encoding) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return enc.EncodeToString(b)
}

// mintJWT signs an RS256 access token for g.
func (s *Server) mintJWT(g grant, now time.Time) (issued, error) {
	aud := g.audience
	if aud == "" {
		aud = g.origin + "/api"
	}
	f := s.currentFaults()
	exp := now.Add(g.client.lifetime())
	at := now.Add(f.IssuerClock) // the claims, by the issuer's clock
	claims := jwt.MapClaims{
		"iss":       g.issuer,
		"sub":       g.client.ClientID,
		"aud":       aud,
		"client_id": g.client.ClientID,
		"iat":       at.Unix(),
		"nbf":       at.Unix(),
		"exp":       at.Add(g.client.lifetime() + f.ExpOffset).Unix(),
		"jti":       randomString(16, base64.RawURLEncoding),
	}
	if len(g.scopes) > 0 {
		claims["scope"] = strings.Join(g.scopes, " ")
	}
	signed, err := s.signRS256(claims, f.UnpublishedKey)
	if err != nil {
		return issued{}, fmt.Errorf("sign access token for %s: %w", g.client.ClientID, err)
	}
	return issued{token: signed, expiresAt: exp}, nil
}

// mintOpaque makes a random opaque access token for g and what the server
// must remember of it.
func mintOpaque(g grant, now time.Time) (issued, opaqueToken) {
	exp := now.Add(g.client.lifetime())
	return issued{token: randomString(32, base64.StdEncoding), expiresAt: exp},
		opaqueToken{subject: g.client.ClientID, scopes: g.scopes, issuer: g.issuer, issuedAt: now, expiresAt: exp}
}

// record counts a token issued to clientID at now. With a positive quota it
// first checks the client's count for the calendar month (UTC) and refuses
// with *quotaError when it is spent.
func (s *Server) record(clientID string, now time.Time, quota int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	month := now.UTC().Format("2006-01")
	mc := s.monthly[clientID]
	if mc.month != month {
		mc = monthCount{month: month}
	}
	if quota > 0 && mc.n >= quota {
		return &quotaError{limit: quota, retryAfter: nextMonth(now).Sub(now)}
	}
	mc.n++
	s.monthly[clientID] = mc
	s.issued[clientID]++
	s.total++
	return nil
}

// remember stores an opaque token so the API can validate it, and forgets
// the expired ones.
func (s *Server) remember(token string, ot opaqueToken, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.opaque {
		if !now.Before(v.expiresAt) {
			delete(s.opaque, k)
		}
	}
	s.opaque[token] = ot
}

// nextMonth is the start of the calendar month (UTC) after t.
func nextMonth(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
}

// lookupOpaque returns the remembered opaque token, if it is unexpired.
func (s *Server) lookupOpaque(token string, now time.Time) (opaqueToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ot, ok := s.opaque[token]
	if !ok || !now.Before(ot.expiresAt) {
		return opaqueToken{}, false
	}
	return ot, true
}

// Issued reports how many tokens have been issued to clientID.
func (s *Server) Issued(clientID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued[clientID]
}

// TotalIssued reports how many tokens have been issued to all clients.
func (s *Server) TotalIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// issueJWT mints a JWT for c and counts it, for the styles without a server
// quota; on failure it has answered 500 and reports false.
func (s *Server) issueJWT(w http.ResponseWriter, r *http.Request, c Client, scopes []string) (issued, bool) {
	now := s.now()
	tok, err := s.mintJWT(newGrant(r, c, scopes), now)
	if err == nil {
		err = s.record(c.ClientID, now, 0)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return issued{}, false
	}
	return tok, true
}
