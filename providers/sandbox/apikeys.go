package sandbox

import (
	"net/http"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// The sample API also takes static API keys (tokentop's grant api_key),
// at PathKeyAPI: in the X-API-Key header, the api_key query parameter or
// Authorization: ApiKey KEY. Its answers carry the same rate-limit headers
// as the bearer API's, counted per key; a revoked key gets 401 with
// error key_revoked.

// PathKeyAPI is the API-key protected endpoint.
const PathKeyAPI = "/keyapi/v1/items"

// APIKey is the sandbox's valid API key (a fake, like every sandbox
// secret).
const APIKey = "ttk_sandbox_9f3b27c41e8a5d60"

// The API-key provider ProvidersYAML writes: it is due for rotation
// apiKeyDueIn from now, inside its 14-day warning, so the demo shows the
// warning.
const (
	APIKeyProvider = "keyed-api"
	apiKeyDueIn    = 10 * 24 * time.Hour
)

// RevokeAPIKey makes the API refuse key from now on (401 key_revoked).
func (s *Server) RevokeAPIKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keysRevoked == nil {
		s.keysRevoked = map[string]time.Time{}
	}
	s.keysRevoked[key] = s.now()
}

// keyRevoked is when key was revoked, zero when it was not.
func (s *Server) keyRevoked(key string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keysRevoked[key]
}

// apiKeyFrom is the key r sends and where it sent it ("" when none).
func apiKeyFrom(r *http.Request) (key, via string) {
	if k := r.Header.Get("X-API-Key"); k != "" {
		return k, "header X-API-Key"
	}
	if k := r.URL.Query().Get("api_key"); k != "" {
		return k, "query parameter api_key"
	}
	if scheme, k, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "ApiKey") && k != "" {
		return k, "Authorization ApiKey"
	}
	return "", ""
}

// handleKeyAPI answers GET PathKeyAPI: the items, and where the key came.
func (s *Server) handleKeyAPI(w http.ResponseWriter, r *http.Request) {
	key, via := apiKeyFrom(r)
	if key == "" {
		writeJSON(w, http.StatusUnauthorized, errorBody{Error: "missing_api_key",
			Description: "No API key: send it in X-API-Key, ?api_key= or Authorization: ApiKey"})
		return
	}
	if key != APIKey {
		writeJSON(w, http.StatusUnauthorized, errorBody{Error: "invalid_api_key", Description: "The API key is not valid"})
		return
	}
	if at := s.keyRevoked(key); !at.IsZero() {
		writeJSON(w, http.StatusUnauthorized, errorBody{Error: "key_revoked",
			Description: "This API key was revoked on " + at.UTC().Format(time.DateOnly)})
		return
	}
	now := s.now()
	st := s.take("apikey:"+key, now)
	st.setHeaders(w.Header(), now)
	if st.exceeded {
		writeJSON(w, http.StatusTooManyRequests, errorBody{Error: "rate_limited",
			Description: "Rate limit of 100 requests per 60 seconds exceeded"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"key_via": via, "items": sampleItems()})
}

// apiKeyNode is the API-key provider's providers entry: the key in
// X-API-Key, due for rotation inside its warning.
func (s *Server) apiKeyNode(base string) *yaml.Node {
	ep := mapping("name", str("items"), "method", str("GET"), "url", str(base+PathKeyAPI))
	ep.Style = yaml.FlowStyle
	return mapping(
		"name", str(APIKeyProvider),
		"env", str("sandbox"),
		"grant", str("api_key"),
		"client_secret", str(APIKey),
		"key_header", str("X-API-Key"),
		"rotate_by", str(s.now().Add(apiKeyDueIn).UTC().Format(time.DateOnly)),
		"warn_before", str("14d"),
		"endpoints", &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{ep}},
	)
}
