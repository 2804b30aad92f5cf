package ui

// detailMode is where the detail goes for the terminal's size.
type detailMode int

const (
	detailSide    detailMode = iota // beside the table, from sideWidth columns
	detailBelow                     // under the table, from belowHeight rows
	detailOverlay                   // over the table
)

const (
	sideWidth   = 140
	belowHeight = 34
)

// resize takes the window's size, bounded (ClampSize) before any
// component sizes itself from it: a frame is drawn for at most
// MaxWidth×MaxHeight cells whatever the terminal reports.
func (m *Model) resize(w, h int) {
	w, h = ClampSize(w, h)
	m.width, m.height = max(w, minWidth), max(h, minHeight)
	m.layout()
}

// layout computes every component's size from the terminal's: the header
// and the footer (status and help) take a line each, the filter one while
// it is shown; the body holds the table and the detail side by side (wide),
// one above the other (tall), or the detail over the table (small).
func (m *Model) layout() {
	w, h := m.width, m.height
	filterH := 0
	if m.focus == focusFilter || m.rows.Filter() != "" {
		filterH = 1
	}
	m.bodyH = max(h-1-filterH-2, 3)
	switch {
	case w >= sideWidth:
		m.mode = detailSide
	case h >= belowHeight:
		m.mode = detailBelow
	default:
		m.mode = detailOverlay
	}
	tw, th := w, m.bodyH
	if m.detailOpen {
		switch m.mode {
		case detailSide:
			dw := max(w*2/5, 60)
			tw = w - dw - 1
			m.detail.SetSize(dw, m.bodyH)
		case detailBelow:
			th = min(max(m.rows.Len()+1, 4), max(m.bodyH*2/5, 6))
			m.detail.SetSize(w, m.bodyH-th)
		default:
			m.detail.SetSize(w, m.bodyH)
		}
	}
	m.table.SetSize(tw, th)
	m.filter.SetSize(w, 1)
	m.status.SetSize(w, 1)
	m.confirm.SetSize(w, 1)
	m.help.Width = w
	m.helpV.SetSize(w, m.bodyH)
	m.form.SetSize(w, m.bodyH)
	m.picker.SetSize(min(w, 100), m.bodyH)
	m.result.SetSize(w, m.bodyH)
	m.doctor.SetSize(w, m.bodyH)
	m.login.SetSize(w, m.bodyH)
	m.palette.SetSize(min(w, 90), min(m.bodyH, 24))
	if m.detailOpen && m.mode == detailOverlay && m.focus == focusTable {
		m.setFocus(focusDetail)
	} else if m.focus == focusDetail && !m.detailOpen {
		m.setFocus(focusTable)
	}
	m.syncKeys()
}
