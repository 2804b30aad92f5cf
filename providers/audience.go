package providers

import (
	"fmt"
	"strings"
)

// pointsAtAudience reports a token endpoint refusal that the audience or
// resource explains: invalid_target (RFC 8707 §2), an access_denied that
// refuses neither the credentials (401) nor scopes (Auth0 answers a
// missing or unknown audience so), or an invalid_request whose
// description names an audience or resource.
func pointsAtAudience(e *Error) bool {
	desc := strings.ToLower(e.Description)
	switch e.Code {
	case "invalid_target":
		return true
	case "access_denied":
		return e.Status != 401 && !strings.Contains(desc, "scope")
	case "invalid_request":
		return strings.Contains(desc, "audience") || strings.Contains(desc, "resource")
	}
	return false
}

// audienceSetting is the setting that names the API: the one sent (audience
// first), else resource when the server speaks of one, else audience.
func audienceSetting(e *Error, p Provider) (key, sent string) {
	switch {
	case e != nil && e.Code == "invalid_target" && p.Resource != "":
		return "resource", p.Resource
	case p.Audience != "":
		return "audience", p.Audience
	case p.Resource != "":
		return "resource", p.Resource
	case e != nil && (e.Code == "invalid_target" || strings.Contains(strings.ToLower(e.Description), "resource")):
		return "resource", ""
	}
	return "audience", ""
}

// audienceHint is the hint of a refusal that points at the audience or
// resource: it says plainly whether one was sent and, when the API named
// itself (offer, from its RFC 9728 metadata), the value to set; without an
// offer, where the value is.
func audienceHint(e *Error, p Provider, offer ResourceOffer) string {
	key, sent := audienceSetting(e, p)
	desc := strings.ToLower(e.Description)
	noGrant := strings.Contains(desc, "client-grant") || strings.Contains(desc, "client grant") || strings.Contains(desc, "not authorized to access")
	switch {
	case sent != "" && noGrant:
		return fmt.Sprintf("%s %q was sent and the server knows the API, but the client has no grant for it: grant it at the vendor (Auth0: the API's Machine to Machine Applications, authorise client %s)", key, sent, p.ClientID)
	case len(offer.Servers) > 0:
		return fmt.Sprintf("%s was refused%s", sentWords(key, sent), offer.note(p))
	case sent != "" && offer.Value == sent:
		return fmt.Sprintf("%s %q was sent, and it is the API's own identifier (%s): the client is not granted this API; grant it at the vendor (Auth0: the API's Machine to Machine Applications)", key, sent, offer.From)
	case sent != "" && offer.Offered():
		return fmt.Sprintf("%s %q was sent and refused; the API names itself %s (%s): set `%s: %s`", key, sent, offer.Value, offer.From, key, offer.Value)
	case offer.Offered():
		return fmt.Sprintf("no audience or resource was sent; the API names itself %s (%s): set `%s: %s`", offer.Value, offer.From, key, offer.Value)
	case sent != "":
		return fmt.Sprintf("%s %q was sent and refused: it must be the API's identifier exactly, as the vendor's API settings list it%s", key, sent, offer.where(p))
	}
	return fmt.Sprintf("no audience or resource was sent, and the server wants one: set `%s:` to the API's identifier, as the vendor's API settings list it%s", key, offer.where(p))
}

// sentWords says what was sent of key: `audience "X"`, or "no audience".
func sentWords(key, sent string) string {
	if sent == "" {
		return "no audience or resource was sent, and that"
	}
	return fmt.Sprintf("%s %q", key, sent)
}

// APIAudienceHint is the hint of an API that refuses the token's audience
// (its aud claim, tokenAud): the value to set when the API named itself,
// else where the value is; an API that takes tokens of other servers
// only, or metadata that was ignored, is said so.
func APIAudienceHint(p Provider, tokenAud []string, offer ResourceOffer) string {
	key, sent := audienceSetting(nil, p)
	had := "no aud"
	if len(tokenAud) > 0 {
		had = "aud " + strings.Join(tokenAud, " ")
	}
	asked := "no audience or resource was asked for"
	if sent != "" {
		asked = fmt.Sprintf("%s %q was asked for", key, sent)
	}
	switch {
	case len(offer.Servers) > 0:
		return fmt.Sprintf("the token has %s (%s)%s", had, asked, offer.note(p))
	case offer.Offered() && sent == offer.Value:
		return fmt.Sprintf("the token has %s though %s, which is the API's identifier (%s): the issuer ignores it; check the API's settings at the vendor", had, asked, offer.From)
	case offer.Offered():
		return fmt.Sprintf("the token has %s (%s); the API names itself %s (%s): set `%s: %s`", had, asked, offer.Value, offer.From, key, offer.Value)
	}
	return fmt.Sprintf("the token has %s (%s), which the API refuses: set `%s:` to the API's identifier, as its documentation gives it%s", had, asked, key, offer.where(p))
}

// where is what a hint that offers no value adds: why the API's metadata
// was ignored, else where an identifier would be published.
func (o ResourceOffer) where(p Provider) string {
	if n := o.note(p); n != "" {
		return n
	}
	return whereIdentifier(p.Name)
}

// whereIdentifier says where an API's identifier is when the API did not
// name itself: the single check that would tell.
func whereIdentifier(name string) string {
	return HintWithName(" (an API that publishes RFC 9728 metadata names it at /.well-known/oauth-protected-resource; `tokentop doctor NAME` reads it from the provider's first endpoint)", name)
}
