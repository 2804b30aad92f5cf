package authproxy

import "sync"

// copyBufferSize is the size of the buffers answers are copied through.
const copyBufferSize = 32 << 10

// bufferPool reuses the ReverseProxy's copy buffers
// (httputil.BufferPool), one pool per Proxy.
type bufferPool struct {
	pool sync.Pool
}

func newBufferPool() *bufferPool {
	return &bufferPool{pool: sync.Pool{New: func() any { b := make([]byte, copyBufferSize); return &b }}}
}

// Get returns a buffer of copyBufferSize bytes.
func (p *bufferPool) Get() []byte { return *p.pool.Get().(*[]byte) }

// Put gives a buffer back; one of another size is dropped.
func (p *bufferPool) Put(b []byte) {
	if cap(b) == copyBufferSize {
		b = b[:copyBufferSize]
		p.pool.Put(&b)
	}
}
