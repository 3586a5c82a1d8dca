package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ErrEmailTaken is returned when another account already uses the address.
var ErrEmailTaken = errors.New("email sudah dipakai akun lain")

// CreateUser validates in, hashes the password and inserts the account. The
// unique index on email turns a concurrent duplicate into ErrEmailTaken.
func (s *Store) CreateUser(ctx context.Context, in UserInput, mustChange bool, now time.Time) (*User, error) {
	if err := in.Validate(true); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	u := &User{
		ID:                 bson.NewObjectID(),
		Email:              in.Email,
		Name:               in.Name,
		Role:               Role(in.Role),
		Active:             true,
		PasswordHash:       hash,
		MustChangePassword: mustChange,
		Version:            1,
		CreatedAt:          now.UTC(),
		UpdatedAt:          now.UTC(),
	}
	if _, err := s.db.Collection(colUsers).InsertOne(ctx, u); err != nil {
		if isDuplicateKey(err) {
			v := &ValidationError{}
			v.Add("email", "err.email_taken")
			return nil, v
		}
		return nil, fmt.Errorf("store: insert user: %w", err)
	}
	return u, nil
}

// CountUsers counts all accounts; zero means the first start.
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	return s.db.Collection(colUsers).CountDocuments(ctx, bson.D{})
}

// UserByID loads one account.
func (s *Store) UserByID(ctx context.Context, id bson.ObjectID) (*User, error) {
	var u User
	err := s.db.Collection(colUsers).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&u)
	if err != nil {
		return nil, notFound(err)
	}
	return &u, nil
}

// UserByEmail loads one account by its (normalised) address.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	err := s.db.Collection(colUsers).FindOne(ctx, bson.D{{Key: "email", Value: NormalizeEmail(email)}}).Decode(&u)
	if err != nil {
		return nil, notFound(err)
	}
	return &u, nil
}

// ListUsers returns every account sorted by name. Staff lists are small.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	cur, err := s.db.Collection(colUsers).Find(ctx, bson.D{},
		options.Find().SetSort(bson.D{{Key: "name", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var users []User
	if err := cur.All(ctx, &users); err != nil {
		return nil, err
	}
	return users, nil
}

// UpdateUser saves name, email, role and active flag of u, provided nobody
// changed the account since u was read (u.Version). On success u.Version is
// the new version. A deactivated user loses every session at once.
func (s *Store) UpdateUser(ctx context.Context, u *User, in UserInput, active bool, now time.Time) error {
	if err := in.Validate(false); err != nil {
		return err
	}
	set := bson.D{
		{Key: "email", Value: in.Email},
		{Key: "name", Value: in.Name},
		{Key: "role", Value: in.Role},
		{Key: "active", Value: active},
		{Key: "updated_at", Value: now.UTC()},
	}
	if err := s.updateUserVersioned(ctx, u, set, now); err != nil {
		if isDuplicateKey(err) {
			v := &ValidationError{}
			v.Add("email", "err.email_taken")
			return v
		}
		return err
	}
	u.Email, u.Name, u.Role, u.Active, u.UpdatedAt = in.Email, in.Name, Role(in.Role), active, now.UTC()
	if !active {
		return s.DeleteUserSessions(ctx, u.ID, "")
	}
	return nil
}

// SetPassword replaces the password (own change or admin reset) and ends the
// user's other sessions. keepSession is the session to keep ("" for none).
func (s *Store) SetPassword(ctx context.Context, u *User, password string, mustChange bool, keepSession string, now time.Time) error {
	if msg := PasswordProblem(password); msg != "" {
		v := &ValidationError{}
		v.Add("password", msg)
		return v
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return err
	}
	set := bson.D{
		{Key: "password_hash", Value: hash},
		{Key: "must_change_password", Value: mustChange},
		{Key: "updated_at", Value: now.UTC()},
	}
	if err := s.updateUserVersioned(ctx, u, set, now); err != nil {
		return err
	}
	u.PasswordHash, u.MustChangePassword = hash, mustChange
	return s.DeleteUserSessions(ctx, u.ID, keepSession)
}

// updateUserVersioned applies set only if the stored version is still
// u.Version (see updateVersioned), and bumps u.Version on success.
func (s *Store) updateUserVersioned(ctx context.Context, u *User, set bson.D, now time.Time) error {
	if err := s.updateVersioned(ctx, colUsers, u.ID, u.Version, set, now); err != nil {
		return err
	}
	u.Version++
	return nil
}
