package authn

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/auth"
)

// Every request of an integrator carries its API token, and looking it up is a statement of
// its own (often the only one besides the data asked for). So each process keeps the tokens
// it has seen for a few seconds, and every end of a credential is pushed to every process
// (LISTEN/NOTIFY on PostgreSQL, in-process on SQLite): a revoked token is refused by every
// process as soon as the push arrives, well within a second; the lifetime is only the
// fallback for a push that got lost (a listener that reconnected). Sessions are not cached:
// an account archived by an import ends its sessions at the next request.

// TokenCacheTTL is how long a process trusts a token it looked up when no push says otherwise.
const TokenCacheTTL = 5 * time.Second

// credentialsTopic is the bus topic on which every end of a credential is published besides
// its own (see topics in socket.go): the token caches of all processes listen to it. Job
// topics are positive and a credential's own topic is at most -3.
const credentialsTopic = 0

// tokenCache holds API tokens by the hash of their secret.
type tokenCache struct {
	ttl time.Duration
	mu  sync.Mutex
	// gen counts the pushes heard: a lookup that started before one is not cached.
	gen     uint64
	entries map[string]*cachedToken
	// flights are the lookups under way, by hash: when a token's entry runs out while 32
	// requests carry it, one of them reads the row and the others wait for it (they used to
	// send 32 reads, and once a minute 32 writes of last_used_at to one row, at once).
	flights map[string]*flight
}

// flight is one lookup of a token that concurrent misses of the same hash share.
type flight struct {
	done chan struct{}
	e    *cachedToken
	err  error
}

// cachedToken is a token row as it was read, and when.
type cachedToken struct {
	token *ent.APIToken
	read  time.Time
	// template is the token's viewer, without the address of a request.
	template *auth.Viewer
	// lastUsed is when last_used_at was last written (unix nanoseconds).
	lastUsed atomic.Int64
}

// viewer is the token's viewer for a request from remoteAddr.
func (e *cachedToken) viewer(remoteAddr string) *auth.Viewer {
	v := *e.template
	v.RemoteAddr = remoteAddr
	return &v
}

// maxCachedTokens bounds the cache; beyond it, it starts afresh (tokens are few per school).
const maxCachedTokens = 10000

// StartTokenCache makes FromToken keep tokens for ttl (TokenCacheTTL when 0) and drop them all
// whenever a credential ends in any process, heard on s.Bus. Without a bus it does nothing:
// nothing would tell this process of a revocation elsewhere. Call it once, after setting Bus
// and before serving; the returned function stops the cache.
func (s *Service) StartTokenCache(ttl time.Duration) (stop func()) {
	if s.Bus == nil {
		return func() {}
	}
	if ttl <= 0 {
		ttl = TokenCacheTTL
	}
	c := &tokenCache{ttl: ttl, entries: map[string]*cachedToken{}, flights: map[string]*flight{}}
	ctx, cancel := context.WithCancel(context.Background())
	events, unsubscribe := s.Bus.Subscribe(ctx, credentialsTopic)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range events {
			c.clear()
		}
	}()
	s.tokens.Store(c)
	return func() {
		s.tokens.Store(nil)
		unsubscribe()
		cancel()
		<-done
	}
}

// get returns the cached token of hash, nil when there is none fresh, and the generation a
// lookup that follows has to put.
func (c *tokenCache) get(hash string, now time.Time) (*cachedToken, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[hash]
	if e != nil && now.Sub(e.read) >= c.ttl {
		delete(c.entries, hash)
		e = nil
	}
	return e, c.gen
}

// put caches a token read during generation gen, unless a push came in since.
func (c *tokenCache) put(hash string, gen uint64, e *cachedToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.entries) >= maxCachedTokens {
		c.entries = map[string]*cachedToken{}
	}
	c.entries[hash] = e
}

// clear forgets every token: a credential ended somewhere.
func (c *tokenCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
	clear(c.flights) // a lookup that started before the push is not shared after it
}

// share runs load once for the concurrent misses of hash; a miss that joined a lookup that
// failed (its request went away, say) runs its own.
func (c *tokenCache) share(hash string, load func() (*cachedToken, error)) (*cachedToken, error) {
	c.mu.Lock()
	if f := c.flights[hash]; f != nil {
		c.mu.Unlock()
		<-f.done
		if f.err == nil {
			return f.e, nil
		}
		return load()
	}
	f := &flight{done: make(chan struct{})}
	c.flights[hash] = f
	c.mu.Unlock()
	f.e, f.err = load()
	c.mu.Lock()
	if c.flights[hash] == f {
		delete(c.flights, hash)
	}
	c.mu.Unlock()
	close(f.done)
	return f.e, f.err
}
