package providers

import (
	"slices"
	"testing"
)

func TestEndpointStyles(t *testing.T) {
	basic, post := []string{"client_secret_basic"}, []string{"client_secret_post"}
	for _, tt := range []struct {
		configured, learned AuthStyle
		methods             []string
		want                []AuthStyle
	}{
		{AuthPost, "", nil, []AuthStyle{AuthPost}},
		{AuthPost, "", basic, []AuthStyle{AuthBasic}},
		{AuthBasic, "", post, []AuthStyle{AuthPost}},
		{AuthBasic, "", []string{"private_key_jwt"}, []AuthStyle{AuthBasic}},
		{AuthAuto, "", basic, []AuthStyle{AuthBasic}},
		{AuthAuto, AuthPost, nil, []AuthStyle{AuthPost, AuthBasic}},
		{AuthPrivateKeyJWT, "", basic, []AuthStyle{AuthPrivateKeyJWT}},
	} {
		if got := endpointStyles(tt.configured, tt.learned, tt.methods); !slices.Equal(got, tt.want) {
			t.Errorf("%s (learned %q) with %v: %v, want %v", tt.configured, tt.learned, tt.methods, got, tt.want)
		}
	}
}
