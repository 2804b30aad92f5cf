package sandbox

import (
	"regexp"
	"testing"
	"time"
)

func TestDefaultClients(t *testing.T) {
	s := New(Options{Key: testKey()})
	validName := regexp.MustCompile(`^[a-z0-9._-]+$`)
	want := map[string]string{
		"cognito-dev": StyleCognito, "basic-only": StyleBasicOnly, "a55": StyleCognito,
		"auth0-prod": StyleAuth0, "ants": StyleANTS, "short-lived": StyleCognito, "broken": StyleCognito,
		"user-login": StyleUser, "user-norefresh": StyleUser, "user-refresh": StyleUser,
		"device-login": StyleCognito,
	}
	ids := map[string]bool{}
	cs := s.Clients()
	if len(cs) != len(want) {
		t.Errorf("%d default clients, want %d", len(cs), len(want))
	}
	for _, c := range cs {
		if want[c.Name] != c.Style {
			t.Errorf("%s: style %q, want %q", c.Name, c.Style, want[c.Name])
		}
		if !validName.MatchString(c.Name) || c.ClientID == "" || (c.ClientSecret == "") != (c.Grant == GrantDevice) {
			t.Errorf("%s: bad name or empty credentials", c.Name)
		}
		if ids[c.ClientID] {
			t.Errorf("%s: ClientID %s is not unique", c.Name, c.ClientID)
		}
		ids[c.ClientID] = true
		if c.Broken != (c.Name == "broken") {
			t.Errorf("%s: Broken %v", c.Name, c.Broken)
		}
	}
	byName := map[string]Client{}
	for _, c := range cs {
		byName[c.Name] = c
	}
	if c := byName["short-lived"]; c.lifetime() != 90*time.Second {
		t.Errorf("short-lived lifetime %v", c.lifetime())
	}
	if c := byName["auth0-prod"]; c.Audience != "https://api.sandbox.test" || c.MonthlyQuota != 1000 || c.lifetime() != 24*time.Hour {
		t.Errorf("auth0-prod %+v", c)
	}
	for _, c := range cs {
		for _, sc := range c.Scopes {
			if sc == "admin" {
				t.Errorf("%s has scope admin; the API's 403 demo needs no default client to have it", c.Name)
			}
		}
	}
}
