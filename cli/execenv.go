package cli

import (
	"strings"

	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// execBinding puts one provider's token in a variable of the child's
// environment, with two companions: VAR_TYPE and VAR_EXPIRES_AT.
type execBinding struct {
	provider string
	variable string
}

// names are the variables the binding sets.
func (b execBinding) names() []string {
	return []string{b.variable, b.variable + "_TYPE", b.variable + "_EXPIRES_AT"}
}

// vars are the binding's variables as NAME=value.
func (b execBinding) vars(res *store.TokenResult) []string {
	tok := res.Token
	typ := tok.TokenType
	if typ == "" {
		typ = "Bearer"
	}
	n := b.names()
	return []string{
		n[0] + "=" + tok.AccessToken,
		n[1] + "=" + typ,
		n[2] + "=" + expiresText(tok.ExpiresAt),
	}
}

// maxVarName bounds a variable's name.
const maxVarName = 128

// execBindings reads exec's provider arguments: NAME (in the variable
// --env names, TOKEN by default) and NAME=VAR. At most one NAME may go
// without a variable; --env applies to it alone, so --env with no such
// NAME is a mistake; no two bindings may set the same variable, their
// companions included.
func execBindings(specs []string, env string, envSet bool) ([]execBinding, error) {
	var binds []execBinding
	bare := ""
	for _, s := range specs {
		name, v, hasVar := strings.Cut(s, "=")
		if name == "" {
			return nil, usagef("exec: %q names no provider: give NAME or NAME=VAR", s)
		}
		if !hasVar {
			if bare != "" {
				return nil, usagef("exec: %s and %s would both go in %s: give each its own variable, e.g. %s=%s_A %s=%s_B", bare, name, env, bare, env, name, env)
			}
			bare, v = name, env
		}
		if err := checkVarName(v); err != nil {
			return nil, err
		}
		binds = append(binds, execBinding{provider: name, variable: v})
	}
	if envSet && bare == "" {
		return nil, usagef("exec: --env names the variable of a provider given without =VAR, and every provider here names its own")
	}
	set := map[string]string{}
	for _, b := range binds {
		for _, n := range b.names() {
			if other, ok := set[n]; ok {
				return nil, usagef("exec: %s would be set twice (for %s and for %s): choose other variable names", n, other, b.provider)
			}
			set[n] = b.provider
		}
	}
	return binds, nil
}

// checkVarName refuses what cannot be a variable's name in a shell.
func checkVarName(v string) error {
	ok := v != "" && len(v) <= maxVarName
	for i, r := range v {
		letter := r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z'
		ok = ok && (letter || i > 0 && r >= '0' && r <= '9')
	}
	if !ok {
		return usagef("exec: %q is not a variable name: letters, digits and _, not starting with a digit (at most %d)", safetext.Line(v), maxVarName)
	}
	return nil
}

// childEnv is environ with every variable of vars replaced by its value
// there.
func childEnv(environ, vars []string) []string {
	set := make(map[string]bool, len(vars))
	for _, kv := range vars {
		k, _, _ := strings.Cut(kv, "=")
		set[k] = true
	}
	out := make([]string, 0, len(environ)+len(vars))
	for _, kv := range environ {
		if k, _, _ := strings.Cut(kv, "="); !set[k] {
			out = append(out, kv)
		}
	}
	return append(out, vars...)
}
