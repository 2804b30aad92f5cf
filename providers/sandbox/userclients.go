package sandbox

import (
	"encoding/base64"
	"fmt"
	"slices"
	"time"
)

// userClients are the clients users log in with, registered after the
// default ones. Their credentials are fake and exist only in the sandbox.
// A public client (no secret, RFC 8252 §8.4) is PublicUserClient, added
// by the tests that want one.
func userClients() []Client {
	return []Client{
		{
			// A confidential native app: a browser login with PKCE, an
			// ID token, refresh tokens that rotate on every use.
			Name:         "user-login",
			ClientID:     "tokentop-native-app",
			ClientSecret: "n4t1ve-app-s3cret-d8f2k1m9q7w3e5r0",
			Style:        StyleUser,
			Scopes:       []string{"openid", "profile", "api/read"},
			Lifetime:     10 * time.Minute,
		},
		{
			// A session given by hand: the user holds a refresh token
			// (IssueRefreshToken; `tokentop sandbox` prints one) and
			// tokentop renews it, rotating, from there.
			Name:         "user-refresh",
			ClientID:     "tokentop-offline-app",
			ClientSecret: "0ffl1ne-app-s3cret-k5j7h2g9f4d6",
			Style:        StyleUser,
			Grant:        "refresh_token",
			Scopes:       []string{"api/read"},
			Lifetime:     10 * time.Minute,
		},
		{
			// A client whose server never returns a refresh token: its
			// token lives until it expires, then the user logs in again.
			Name:           "user-norefresh",
			ClientID:       "tokentop-short-session",
			ClientSecret:   "sh0rt-s3ssion-secret-p2x8v4n6b1c3",
			Style:          StyleUser,
			Scopes:         []string{"api/read"},
			NoRefreshToken: true,
		},
	}
}

// userNodes are the settings ProvidersYAML writes for a user-style
// client besides the common ones: its grant, the authorization endpoint
// and the keys its ID tokens verify with.
func userNodes(c Client, base string) []any {
	grant := c.Grant
	if grant == "" {
		grant = "authorization_code"
	}
	kv := []any{"grant", str(grant)}
	if grant == "authorization_code" {
		kv = append(kv, "authorize_url", str(base+pathUserAuthorize))
	}
	return append(kv, "jwks_uri", str(base+pathJWKS))
}

// PublicUserClient is a public native app (RFC 8252 §8.4): no secret, so
// its token requests carry only its client_id, and PKCE alone binds the
// code to it. Register it with AddClient.
func PublicUserClient() Client {
	return Client{Name: "user-public", ClientID: "tokentop-public-app", Style: StyleUser, Scopes: []string{"openid", "api/read"}}
}

// IssueRefreshToken mints a refresh token for the user-style client
// clientID, with all its scopes, as a server's console hands one out for
// grant refresh_token; it is used, and rotated, like any other.
func (s *Server) IssueRefreshToken(clientID string) (string, error) {
	s.mu.Lock()
	i, ok := s.index[clientID]
	var c Client
	if ok {
		c = s.clients[i].clone()
	}
	s.mu.Unlock()
	if !ok || c.Style != StyleUser {
		return "", fmt.Errorf("sandbox: %s is not a user-style client", clientID)
	}
	now := s.now()
	life := c.RefreshLifetime
	if life <= 0 {
		life = defaultRefreshLife
	}
	rt := "rt." + randomString(32, base64.RawURLEncoding)
	if !s.users.putRefresh(rt, refreshGrant{clientID: clientID, scopes: slices.Clone(c.Scopes), expires: now.Add(life)}, now) {
		return "", fmt.Errorf("sandbox: too many refresh tokens in force")
	}
	return rt, nil
}
