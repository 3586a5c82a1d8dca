package models

import (
	"context"
	"errors"
	"time"
)

// A submission claims its form's key ("submit:<key>") before it uploads
// the letter, numbers and inserts the visit (SubmitRequest). That claim is
// permanent, so a process killed between the claim and the insert leaves
// the form's key taken by a request that does not exist: the browser's
// retry of the same form would be told "already sent" and sent to a
// tracking link that answers 404. RecoverSubmission is the way out.

// SubmissionGrace is how long a claimed submission may take before its
// claim is taken for a crash's leftover. Releasing a claim whose writer
// is merely slow is safe: the unique index on submission_key lets only
// one of the two inserts win, and the loser deletes its letter.
const SubmissionGrace = 2 * time.Second

// RecoverSubmission is called when SubmitRequest answered
// ErrDuplicateSubmission. It returns the request of key, waiting
// SubmissionGrace for a concurrent first submission (a double click) to
// finish. If there still is none, the claim is a crash's leftover: it is
// released, nil is returned, and the caller submits again.
func (s *Store) RecoverSubmission(ctx context.Context, key string) (*Visit, error) {
	for try := 0; ; try++ {
		v, err := s.VisitBySubmissionKey(ctx, key)
		if err == nil {
			return v, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		if try > 0 {
			// The claim is taken and the view has no such request: it may
			// exist all the same, written just before a crash that kept
			// its change out of the log (view.go).
			if v, err := s.visitFromStore(ctx, "submission_key", key, time.Now()); err == nil {
				return v, nil
			} else if !errors.Is(err, ErrNotFound) {
				return nil, err
			}
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(SubmissionGrace):
		}
	}
	return nil, s.Release(ctx, "submit:"+key)
}
