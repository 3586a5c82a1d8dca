package models

// ViewFromSnapshot reports whether the store's view was loaded from a
// snapshot (tests only).
func (s *Store) ViewFromSnapshot() bool {
	s.view.mu.RLock()
	defer s.view.mu.RUnlock()
	return s.view.fromSnapshot
}
