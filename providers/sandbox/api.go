package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// item is a resource of the sample API.
type item struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	SKU        string `json:"sku"`
	PriceCents int    `json:"price_cents"`
}

// sampleItems is the fixed catalogue the API serves.
func sampleItems() []item {
	return []item{
		{ID: "1", Name: "Anvil", SKU: "ACME-0001", PriceCents: 4999},
		{ID: "2", Name: "Rocket skates", SKU: "ACME-0002", PriceCents: 12900},
		{ID: "3", Name: "Giant magnet", SKU: "ACME-0003", PriceCents: 2450},
	}
}

// apiHandler is a protected API handler, called once the token and the
// rate limit have been checked.
type apiHandler func(w http.ResponseWriter, r *http.Request, p principal)

// api wraps h with bearer-token validation, the per-subject rate limit and
// a check that the token holds every scope in need.
func (s *Server) api(need []string, h apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, be := s.authorize(r)
		if be != nil {
			be.resourceMetadata = s.resourceMetadataURL(r)
			be.write(w)
			return
		}
		now := s.now()
		st := s.take(p.subject, now)
		st.setHeaders(w.Header(), now)
		if st.exceeded {
			writeJSON(w, http.StatusTooManyRequests, errorBody{Error: "rate_limited",
				Description: "Rate limit of 100 requests per 60 seconds exceeded"})
			return
		}
		for _, sc := range need {
			if !slices.Contains(p.scopes, sc) {
				(&bearerError{status: http.StatusForbidden, code: "insufficient_scope",
					desc: "The access token lacks scope " + sc, scope: strings.Join(need, " ")}).write(w)
				return
			}
		}
		h(w, r, p)
	}
}

// handleListItems answers GET /api/v1/items.
func (s *Server) handleListItems(w http.ResponseWriter, _ *http.Request, _ principal) {
	writeJSON(w, http.StatusOK, sampleItems())
}

// handleGetItem answers GET /api/v1/items/{id}.
func (s *Server) handleGetItem(w http.ResponseWriter, r *http.Request, _ principal) {
	id := r.PathValue("id")
	for _, it := range sampleItems() {
		if it.ID == id {
			writeJSON(w, http.StatusOK, it)
			return
		}
	}
	writeJSON(w, http.StatusNotFound, errorBody{Error: "not_found", Description: "No item with id " + id})
}

// handleCreateItem answers POST /api/v1/items by echoing the JSON object it
// was sent with an id and a creation time added. Nothing is stored.
func (s *Server) handleCreateItem(w http.ResponseWriter, r *http.Request, p principal) {
	var obj map[string]any
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFormBytes))
	if err := dec.Decode(&obj); err != nil || obj == nil {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "invalid_request",
			Description: "The body must be a JSON object"})
		return
	}
	id := randomString(6, base64.RawURLEncoding)
	obj["id"] = id
	obj["created_by"] = p.subject
	obj["created_at"] = s.now().UTC().Format(time.RFC3339)
	w.Header().Set("Location", "/api/v1/items/"+id)
	writeJSON(w, http.StatusCreated, obj)
}

// handleAdmin answers GET /api/v1/admin, which needs scope "admin".
func (s *Server) handleAdmin(w http.ResponseWriter, _ *http.Request, p principal) {
	writeJSON(w, http.StatusOK, map[string]any{"admin": true, "subject": p.subject})
}
