package ui

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/theme"
)

// formValues are the texts of the add/edit form's fields by setting key
// (see providers.Fields); huh writes into them as they are typed, so the
// last step can validate the whole provider.
type formValues struct {
	text map[string]*string
	save bool
}

// providerForm is the add (a) and edit (e) form, built with huh. Leaving
// the secret blank on edit keeps the stored one (the store's PutProvider
// does that with an empty ClientSecret).
type providerForm struct {
	bus   *bus
	keys  FormKeyMap
	st    *theme.Styles
	theme *huh.Theme

	form  *huh.Form
	v     *formValues
	base  providers.Provider
	isNew bool
	// keys2 are the keys of each page's fields, in order (the Save
	// confirmation last), to find a field's page.
	keys2 [][]string
	// err is why the last Save did not save; fault is the key of the
	// field it sent the user back to, while that field is checked.
	err, fault string

	width, height int
}

var _ Component = (*providerForm)(nil)

func newProviderForm(st *theme.Styles, r *lipgloss.Renderer, keys FormKeyMap) *providerForm {
	return &providerForm{keys: keys, st: st, theme: formTheme(st.Palette.Name, r)}
}

// formTheme is huh's theme of the same name, rebound to this session's
// renderer (huh builds its styles on lipgloss's default renderer, which
// over SSH is the server's terminal, not the user's).
func formTheme(name string, r *lipgloss.Renderer) *huh.Theme {
	var t *huh.Theme
	switch name {
	case "dracula":
		t = huh.ThemeDracula()
	case "solarized":
		t = huh.ThemeBase16()
	default:
		t = huh.ThemeCharm()
	}
	if r != nil {
		rebind(reflect.ValueOf(t).Elem(), r)
	}
	return t
}

// rebind sets the renderer of every lipgloss.Style reachable in v.
func rebind(v reflect.Value, r *lipgloss.Renderer) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[lipgloss.Style]() {
			if v.CanSet() {
				v.Set(reflect.ValueOf(v.Interface().(lipgloss.Style).Renderer(r)))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				rebind(f, r)
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			rebind(v.Elem(), r)
		}
	}
}

// formPages is the number of the add/edit form's pages.
const formPages = 4

// formPage is the title of page i (FieldSpec.Page) of the form.
func formPage(i int) string {
	switch i {
	case 1:
		return "the provider"
	case 2:
		return "the client"
	case 3:
		return "client authentication details"
	}
	return "the request"
}

// saveKey is the key of the form's last field, the Save confirmation.
const saveKey = "save"

// Open builds the form: for a new provider when isNew, else to edit base.
// names are the providers that exist (a new name must be unique). The
// fields are the settings of providers.Fields that are on a page of the
// form, each checked as the providers file checks it.
func (f *providerForm) Open(base providers.Provider, isNew, hasSecret bool, names map[string]bool) tea.Cmd {
	f.base, f.isNew, f.err = base, isNew, ""
	f.v = &formValues{text: map[string]*string{}, save: true}
	pages := make([][]huh.Field, formPages)
	f.keys2 = make([][]string, len(pages))
	for _, fs := range providers.Fields() {
		if fs.Page < 1 || fs.Page > len(pages) || fs.Key == "name" && !isNew {
			continue
		}
		pages[fs.Page-1] = append(pages[fs.Page-1], f.field(fs, hasSecret, names))
		f.keys2[fs.Page-1] = append(f.keys2[fs.Page-1], fs.Key)
	}
	last := len(pages) - 1
	pages[last] = append(pages[last], huh.NewConfirm().Key(saveKey).Title("Save?").Affirmative("Save").Negative("Cancel").Value(&f.v.save))
	f.keys2[last] = append(f.keys2[last], saveKey)
	title := "Add a provider"
	if !isNew {
		title = "Edit " + base.Name
	}
	groups := make([]*huh.Group, len(pages))
	for i, fields := range pages {
		groups[i] = huh.NewGroup(fields...).Title(fmt.Sprintf("%s · %d/%d %s", title, i+1, len(pages), formPage(i+1)))
	}
	f.form = huh.NewForm(groups...).WithTheme(f.theme).WithShowHelp(false).WithShowErrors(true)
	f.form.SubmitCmd, f.form.CancelCmd = nil, nil
	f.resize()
	return f.form.Init()
}

// field is the form field of setting fs: a select when it has choices, a
// masked input when it is secret, a text area for a list (one entry a
// line), else an input; each checked by fs's rules.
func (f *providerForm) field(fs providers.FieldSpec, hasSecret bool, names map[string]bool) huh.Field {
	v := new(string)
	*v = fs.Get(&f.base)
	f.v.text[fs.Key] = v
	check := func(s string) error {
		p := f.providerWith(fs.Key)
		if err := f.setText(&p, fs, s); err != nil {
			return err
		}
		if err := p.FieldProblem(fs.Key); err != nil {
			return err
		}
		if fs.Key == "name" && names[p.Name] {
			return fmt.Errorf("a provider named %s exists", p.Name)
		}
		return nil
	}
	if fs.Choices != nil {
		// A choice is checked only when Save found it at fault: a preset
		// that wants an audience must not stop the user on the way to it.
		sel := func(s string) error {
			if f.fault != fs.Key {
				return nil
			}
			return check(s)
		}
		var opts []huh.Option[string]
		for _, c := range fs.Choices {
			opts = append(opts, huh.NewOption(c.Label, c.Value))
		}
		return huh.NewSelect[string]().Key(fs.Key).Title(fs.Label).Description("←/→ to choose").Inline(true).Options(opts...).Value(v).Validate(sel)
	}
	if fs.FlagKind == providers.FlagList {
		// No external editor (ctrl+e): over SSH it would run on the server.
		return huh.NewText().Key(fs.Key).Title(fs.Label).Description(fs.Help).Lines(3).ExternalEditor(false).Value(v).Validate(check)
	}
	in := huh.NewInput().Key(fs.Key).Title(fs.Label).Value(v)
	if fs.Placeholder != "" {
		in = in.Placeholder(fs.Placeholder)
	}
	if fs.Secret {
		return in.Description(f.secretHelp(hasSecret)).EchoMode(huh.EchoModePassword)
	}
	if fs.Help != "" {
		in = in.Description(fs.Help)
	}
	return in.Validate(check)
}

// secretHelp says what leaving the secret blank does.
func (f *providerForm) secretHelp(hasSecret bool) string {
	switch {
	case !f.isNew && f.base.ClientSecretRef != "":
		return "the secret comes from " + f.base.ClientSecretRef + "; leave blank"
	case !f.isNew && hasSecret:
		return "leave blank to keep the stored secret"
	}
	return "masked; stored encrypted"
}

// provider builds the provider the form describes, on top of the edited
// one (its endpoints, params and the rest are kept).
func (f *providerForm) provider() (providers.Provider, error) {
	p := f.base
	for _, fs := range providers.Fields() {
		if err := f.set(&p, fs); err != nil {
			return p, err
		}
	}
	return p, nil
}

// providerWith is the provider the form describes as far as it can be
// built, the setting key left as edited (its field checks it).
func (f *providerForm) providerWith(key string) providers.Provider {
	p := f.base
	for _, fs := range providers.Fields() {
		if fs.Key != key {
			_ = f.set(&p, fs) // a field in error answers for itself
		}
	}
	return p
}

// set writes the form's text of setting fs into p; a setting not in the
// form is left as it is.
func (f *providerForm) set(p *providers.Provider, fs providers.FieldSpec) error {
	v, ok := f.v.text[fs.Key]
	if !ok {
		return nil
	}
	return f.setText(p, fs, *v)
}

// setText writes s into p's setting fs: trimmed unless it is secret, and
// a list (FlagList) one entry a line, after clearing it.
func (f *providerForm) setText(p *providers.Provider, fs providers.FieldSpec, s string) error {
	if fs.Secret {
		return fs.Set(p, s)
	}
	s = strings.TrimSpace(s)
	if fs.FlagKind != providers.FlagList {
		return fs.Set(p, s)
	}
	if err := fs.Set(p, ""); err != nil {
		return err
	}
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			if err := fs.Set(p, line); err != nil {
				return err
			}
		}
	}
	return nil
}

// problem is the first thing wrong with the provider the form describes:
// the form's key of the field at fault ("" when it is not in the form)
// and the error.
func (f *providerForm) problem() (string, error) {
	p, err := f.provider()
	if err != nil {
		return "", err
	}
	err = p.Validate()
	if err == nil {
		return "", nil
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		var pr *providers.Problem
		if errors.As(e, &pr) {
			if _, in := f.v.text[pr.Field]; in {
				return pr.Field, e
			}
		}
	}
	return "", firstProblems(err)
}

// goTo moves the form's focus to the field key: back to the first field,
// then forward (huh moves one field or one page at a time), and checks it
// again so its error shows beside it.
func (f *providerForm) goTo(key string) tea.Cmd {
	pos := func() (page, i int) {
		k := f.form.GetFocusedField().GetKey()
		for p, keys := range f.keys2 {
			if j := slices.Index(keys, k); j >= 0 {
				return p, j
			}
		}
		return -1, -1
	}
	var cmds []tea.Cmd
	steps := 0
	for page, i := pos(); (page > 0 || i > 0) && steps < 200; page, i = pos() {
		if i == 0 {
			cmds = append(cmds, f.form.PrevGroup())
		} else {
			cmds = append(cmds, f.form.PrevField())
		}
		steps++
	}
	for page, i := pos(); page >= 0 && f.keys2[page][i] != key && steps < 400; page, i = pos() {
		before := f.form.GetFocusedField().GetKey()
		if i == len(f.keys2[page])-1 {
			cmds = append(cmds, f.form.NextGroup())
		} else {
			cmds = append(cmds, f.form.NextField())
		}
		if f.form.GetFocusedField().GetKey() == before {
			break // a field on the way is in error: it says why
		}
		steps++
	}
	if fd := f.form.GetFocusedField(); fd.GetKey() == key {
		// Checked again, its error shows beside it until the next key.
		f.fault = key
		fd.Blur()
		f.fault = ""
		cmds = append(cmds, fd.Focus())
	}
	return tea.Batch(cmds...)
}

// firstProblems keeps a joined validation error short enough for a form.
func firstProblems(err error) error {
	if err == nil {
		return nil
	}
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	if len(lines) > 2 {
		return fmt.Errorf("%s (and %d more)", strings.Join(lines[:2], "; "), len(lines)-2)
	}
	return errors.New(strings.Join(lines, "; "))
}

// SetSize implements Component.
func (f *providerForm) SetSize(width, height int) {
	f.width, f.height = width, height
	f.resize()
}

func (f *providerForm) resize() {
	if f.form == nil {
		return
	}
	f.form = f.form.WithWidth(max(min(f.width-f.st.Overlay.GetHorizontalFrameSize(), 90), 20)).
		WithHeight(max(f.height-f.st.Overlay.GetVerticalFrameSize()-3, 3))
}

// Update implements Component: esc cancels; Save checks the whole
// provider first and, when a setting is wrong, goes back to its field with
// the error beside it (nothing typed is lost); the rest goes to huh.
func (f *providerForm) Update(msg tea.Msg) tea.Cmd {
	if f.form == nil {
		return nil
	}
	if km, ok := msg.(tea.KeyMsg); ok {
		if key.Matches(km, f.keys.Cancel) {
			return f.bus.emit(closeIntent{})
		}
		f.err = ""
		if fd := f.form.GetFocusedField(); fd.GetKey() == saveKey && key.Matches(km, f.keys.Submit, f.keys.Next) {
			if save, _ := fd.GetValue().(bool); save {
				if k, err := f.problem(); err != nil {
					f.err = err.Error()
					if k != "" {
						return f.goTo(k)
					}
					return nil
				}
			}
		}
	}
	m, cmd := f.form.Update(msg)
	if fm, ok := m.(*huh.Form); ok {
		f.form = fm
	}
	switch f.form.State {
	case huh.StateCompleted:
		if !f.v.save {
			return f.bus.emit(closeIntent{})
		}
		p, err := f.provider()
		if err != nil {
			return f.bus.emit(closeIntent{})
		}
		return f.bus.emit(saveIntent{p: p, isNew: f.isNew})
	case huh.StateAborted:
		return f.bus.emit(closeIntent{})
	}
	return cmd
}

// View implements Component: the form inside the overlay, cut to the
// height it was given so the border always shows, and why the last Save
// did not save.
func (f *providerForm) View() string {
	if f.form == nil {
		return ""
	}
	inner := max(f.height-f.st.Overlay.GetVerticalFrameSize(), 1)
	body := strings.TrimRight(f.form.View(), "\n")
	if f.err != "" {
		width := max(min(f.width-f.st.Overlay.GetHorizontalFrameSize(), 90), 20)
		msg := f.st.ErrorText.Render(wrapText("✗ not saved: "+clean(f.err), width))
		inner -= strings.Count(msg, "\n") + 1
		body = cutLines(body, max(inner, 1)) + "\n" + msg
	} else {
		body = cutLines(body, inner)
	}
	return f.st.Overlay.Render(body)
}

// cutLines keeps s's first n lines.
func cutLines(s string, n int) string {
	i := 0
	for k := 0; k < n; k++ {
		j := strings.IndexByte(s[i:], '\n')
		if j < 0 {
			return s
		}
		i += j + 1
	}
	return s[:max(i-1, 0)]
}

// ShortHelp implements help.KeyMap.
func (f *providerForm) ShortHelp() []key.Binding { return f.keys.ShortHelp() }

// FullHelp implements help.KeyMap.
func (f *providerForm) FullHelp() [][]key.Binding { return f.keys.FullHelp() }
