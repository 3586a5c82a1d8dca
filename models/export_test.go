package models

// ViewFromSnapshot reports whether the store's view was loaded from a
// snapshot (tests only).
func (s *Store) ViewFromSnapshot() bool {
	s.view.mu.RLock()
	defer s.view.mu.RUnlock()
	return s.view.fromSnapshot
}

// KeepChanges sets how many log entries a snapshot keeps behind it (tests
// prune with small numbers).
func (s *Store) KeepChanges(n int64) { s.view.keptChanges = n }
