package authproxy

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"golang.org/x/sync/semaphore"
)

// heldBody is a request body the proxy read whole before sending, so it
// can send it again: nil data for a request without a body.
type heldBody struct {
	data []byte
}

// reader is a new reader over the held body (nil for none).
func (h *heldBody) reader() io.ReadCloser {
	if h == nil || h.data == nil {
		return nil
	}
	return io.NopCloser(bytes.NewReader(h.data))
}

// bodyHolder reads request bodies of at most max bytes whole, within a
// budget shared by every request in flight, so the memory held is bounded
// whatever the clients send.
type bodyHolder struct {
	max    int64
	budget *semaphore.Weighted
}

// hold prepares r's body for sending and returns the held body (nil when
// the body is streamed: too large, of unknown length and found larger, or
// no budget left) and a release to call when the request is done. A body
// of unknown length is read up to max+1 bytes; one that turns out larger
// is sent as what was read followed by the rest, streamed.
func (b *bodyHolder) hold(r *http.Request) (*heldBody, func(), error) {
	none := func() {}
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return &heldBody{}, none, nil
	}
	if r.ContentLength > b.max {
		return nil, none, nil
	}
	weight := b.max
	if r.ContentLength > 0 {
		weight = r.ContentLength
	}
	if !b.budget.TryAcquire(weight) {
		return nil, none, nil
	}
	release := func() { b.budget.Release(weight) }
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	_, err := buf.ReadFrom(io.LimitReader(r.Body, b.max+1))
	if err != nil {
		release()
		return nil, none, fmt.Errorf("reading the request body: %w", err)
	}
	if int64(buf.Len()) > b.max {
		// Larger than we hold: what was read, then the rest, streamed.
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(buf.Bytes()), r.Body), r.Body}
		return nil, release, nil
	}
	h := &heldBody{data: buf.Bytes()}
	r.Body = http.NoBody
	if len(h.data) > 0 {
		r.Body = h.reader()
	}
	r.ContentLength = int64(len(h.data))
	r.TransferEncoding = nil
	r.GetBody = func() (io.ReadCloser, error) { return h.reader(), nil }
	return h, release, nil
}
