package models

import (
	"sync"
	"sync/atomic"
	"time"
)

// Read caches for what nearly every page reads and almost never changes:
// the host settings and the stored holidays. Each query costs a round trip
// to the store (and on the embedded engine, holidays are a scan), so a
// Store keeps the value for at most ReadCacheAge, and never past its own
// next write of it: each write through this Store raises that cache's
// write count (writeCounts), which the cache compares. A change made by another
// instance shows within ReadCacheAge; decisions never depend on it, since
// they re-check in the store with claims.

// ReadCacheAge bounds how old a cached read may be.
const ReadCacheAge = time.Second

type readCache[T any] struct {
	mu      sync.Mutex
	value   T
	gen     uint64
	at      time.Time
	ok      bool
	loading bool       // a caller is loading a fresh value
	loadMu  sync.Mutex // one loader at a time
}

// get returns the cached value, or loads and keeps it. While one caller
// loads a fresh value, the others take the previous one rather than all
// asking the store at once (the first load waits). The generation is read
// before loading, so a write during the load makes the next call load
// again.
func (c *readCache[T]) get(writes *atomic.Uint64, load func() (T, error)) (T, error) {
	gen := writes.Load()
	c.mu.Lock()
	fresh := c.ok && c.gen == gen && time.Since(c.at) < ReadCacheAge
	// Stale by age only: after this Store's own write, always wait.
	if fresh || (c.ok && c.loading && c.gen == gen) {
		v := c.value
		c.mu.Unlock()
		return v, nil
	}
	c.loading = true
	c.mu.Unlock()
	c.loadMu.Lock()
	defer c.loadMu.Unlock()
	c.mu.Lock()
	if c.ok && c.gen == gen && time.Since(c.at) < ReadCacheAge { // loaded while we waited
		v := c.value
		c.loading = false
		c.mu.Unlock()
		return v, nil
	}
	c.mu.Unlock()
	v, err := load()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.loading = false
	if err != nil {
		return v, err
	}
	c.value, c.gen, c.at, c.ok = v, gen, time.Now(), true
	return v, nil
}

// readCaches are a Store's caches.
type readCaches struct {
	settings readCache[HostSettings]
	holidays readCache[[]Holiday]
	ledgers  readCache[[]slotLedger] // read-only: Bookings copies what it returns
}

// writeCounts count this Store's writes of what the caches hold, one
// counter per cache: a visit or a mail being saved must not make every
// page read the settings, holidays and ledgers again.
type writeCounts struct {
	settings, holidays, ledgers atomic.Uint64
}

// Generation is a number that changes whenever this Store writes the
// settings, the holidays or a session ledger: what the availability of a
// month is made of, for callers that cache something derived from it (the
// public availability month).
func (s *Store) Generation() uint64 {
	return s.writes.settings.Load() + s.writes.holidays.Load() + s.writes.ledgers.Load()
}
