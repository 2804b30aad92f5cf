package authproxy

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/internal/testsupport/sandboxenv"
)

// TestStreamingPassthrough: an upstream that sends one event, then waits
// to be told to send the next: the client gets the first before the
// upstream goes on, so the proxy buffers nothing.
func TestStreamingPassthrough(t *testing.T) {
	env := sandboxenv.Start(t, sandboxenv.Options{})
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: one\n\n")
		http.NewResponseController(w).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, "data: two\n\n")
	}))
	t.Cleanup(up.Close)
	h := startProxy(t, env, Options{Routes: []Route{mustRoute(t, "/", cognito, up.URL)}})
	resp, err := h.client.Get(h.url + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rd := bufio.NewReader(resp.Body)
	first := make(chan string, 1)
	go func() {
		line, _ := rd.ReadString('\n')
		first <- line
	}()
	select {
	case line := <-first:
		if line != "data: one\n" {
			t.Fatalf("first line %q", line)
		}
	case <-time.After(testsupport.WaitLimit):
		close(release)
		t.Fatal("the first event did not arrive while the upstream held back the second: the proxy buffers")
	}
	close(release)
	rest, err := io.ReadAll(rd)
	if err != nil || string(rest) != "\ndata: two\n\n" {
		t.Fatalf("rest %q, %v", rest, err)
	}
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// heapWatch is a writer that counts bytes and samples the live heap every
// sampleEvery bytes.
type heapWatch struct {
	n, next, peak uint64
}

const sampleEvery = 16 << 20

func (hw *heapWatch) Write(p []byte) (int, error) {
	hw.n += uint64(len(p))
	if hw.n >= hw.next {
		hw.next += sampleEvery
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		hw.peak = max(hw.peak, ms.HeapInuse)
	}
	return len(p), nil
}

// TestHugeBodyStreamed: a 256 MiB body, of known and of unknown length,
// reaches the upstream whole while the heap stays far below its size.
func TestHugeBodyStreamed(t *testing.T) {
	const size = 256 << 20
	const bound = 64 << 20 // the heap may grow by this much at most
	env := sandboxenv.Start(t, sandboxenv.Options{})
	var mu sync.Mutex
	var got []*heapWatch
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hw := &heapWatch{}
		io.Copy(hw, r.Body)
		if r.Method != "PUT" {
			return
		}
		mu.Lock()
		got = append(got, hw)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(up.Close)
	h := startProxy(t, env, Options{Routes: []Route{mustRoute(t, "/", cognito, up.URL)}})
	h.do("GET", "/warm", nil, nil)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse

	for _, known := range []bool{true, false} {
		req, err := http.NewRequest("PUT", h.url+"/upload", io.LimitReader(zeros{}, size))
		if err != nil {
			t.Fatal(err)
		}
		if known {
			req.ContentLength = size
		}
		resp, err := h.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("known length %v: status %d", known, resp.StatusCode)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("the upstream got %d uploads, want 2", len(got))
	}
	for i, hw := range got {
		if hw.n != size {
			t.Fatalf("upload %d: the upstream got %d bytes, want %d", i, hw.n, size)
		}
		if hw.peak > base+bound {
			t.Fatalf("upload %d: the heap grew to %d MiB from %d MiB while %d MiB passed: the body was buffered", i, hw.peak>>20, base>>20, size>>20)
		}
	}
}

// TestClientDisconnectNoLeak: a client that leaves in the middle of an
// endless answer ends the upstream request, and every goroutine the
// request started ends too.
func TestClientDisconnectNoLeak(t *testing.T) {
	env := sandboxenv.Start(t, sandboxenv.Options{})
	upstreamGone := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/endless" {
			return
		}
		rc := http.NewResponseController(w)
		for {
			if _, err := io.WriteString(w, "data: tick\n\n"); err != nil {
				break
			}
			rc.Flush()
			select {
			case <-r.Context().Done():
				close(upstreamGone)
				return
			case <-time.After(time.Millisecond):
			}
		}
		close(upstreamGone)
	}))
	t.Cleanup(up.Close)
	h := startProxy(t, env, Options{Routes: []Route{mustRoute(t, "/", cognito, up.URL)}})
	h.do("GET", "/warm", nil, nil)
	before := runtime.NumGoroutine()

	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", h.url+"/endless", nil)
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || line != "data: tick\n" {
		t.Fatalf("%q %v", line, err)
	}
	cancel()
	resp.Body.Close()
	select {
	case <-upstreamGone:
	case <-time.After(testsupport.WaitLimit):
		t.Fatal("the upstream request went on after the client left")
	}
	h.waitLog("GET /endless", "left before the end of the answer")
	var now int
	testsupport.Eventually(t, "the goroutines to end", func() bool {
		now = runtime.NumGoroutine()
		return now <= before
	})
	if strings.Contains(h.log.String(), "panic") {
		t.Fatalf("the log holds a panic:\n%s", h.log.String())
	}
}
