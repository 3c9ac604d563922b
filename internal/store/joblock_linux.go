//go:build linux

package store

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// fileLocks reports whether job locks on SQLite can be file locks here: Linux has open file
// description locks, which the kernel drops when their process dies (however it dies) and
// which two opens of the file in one process do not share.
const fileLocks = true

// lockRange takes, without waiting, the write lock of the byte at offset id of the file at
// path, on a new open file description that the caller keeps (closing it releases the lock);
// ok is false when another holds it.
func lockRange(path string, id int) (f *os.File, ok bool, err error) {
	f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("open job lock file: %w", err)
	}
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0, Start: int64(id), Len: 1}
	err = unix.FcntlFlock(f.Fd(), unix.F_OFD_SETLK, &lk)
	if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EACCES) {
		f.Close()
		return nil, false, nil
	}
	if err != nil {
		f.Close()
		return nil, false, fmt.Errorf("lock job %d: %w", id, err)
	}
	return f, true, nil
}

// rangeLocked reports whether another open file description holds a lock on the byte at
// offset id of the file at path, without taking it.
func rangeLocked(path string, id int) (bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return false, fmt.Errorf("open job lock file: %w", err)
	}
	defer f.Close()
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0, Start: int64(id), Len: 1}
	if err := unix.FcntlFlock(f.Fd(), unix.F_OFD_GETLK, &lk); err != nil {
		return false, fmt.Errorf("test job %d lock: %w", id, err)
	}
	return lk.Type != unix.F_UNLCK, nil
}
