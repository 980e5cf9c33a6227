package serve

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// HostKey returns the PEM host key kept at path, making an ed25519 one
// (mode 0600) on first use, so that clients can pin it. A key readable by
// others is refused.
func HostKey(path string) ([]byte, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("host key: %w", err)
		}
		block, err := gossh.MarshalPrivateKey(priv, "perftop ssh host key")
		if err != nil {
			return nil, fmt.Errorf("host key: %w", err)
		}
		data := pem.EncodeToMemory(block)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("host key: %w", err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, fmt.Errorf("host key: %w", err)
		}
		return data, nil
	case err != nil:
		return nil, fmt.Errorf("host key: %w", err)
	}
	if err := checkHostKeyMode(path, st); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	if _, err := gossh.ParsePrivateKey(data); err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	return data, nil
}

// CheckHostKey reports the mistakes HostKey would refuse a host key at path
// for, without making one: a key that exists but is readable by others, or
// a path that cannot be read. A key that does not exist yet is fine.
func CheckHostKey(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("host key: %w", err)
	}
	return checkHostKeyMode(path, st)
}

func checkHostKeyMode(path string, st fs.FileInfo) error {
	if st.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("host key %s has permissions %04o: must be 0600 (chmod 600 %s)", path, st.Mode().Perm(), path)
	}
	return nil
}
