package store

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/emsd/emsd/internal/devices"
)

// What boilers' burners have delivered is integrated by emsd (EMS-ESP
// keeps it in its flash); kept in a file it survives restarts.

type energyFile struct {
	Boilers map[string]savedEnergy `json:"boilers"` // by bus ID, "0x08"
}

// savedEnergy is devices.Energy as the file holds it.
type savedEnergy struct {
	Heat int64 `json:"heat_percent_kw_ms"`
	DHW  int64 `json:"dhw_percent_kw_ms"`
}

// RestoreEnergy reads a file SaveEnergy wrote; boilers found from then on
// continue from it. A missing file is no error: nothing was saved yet.
func (s *Store) RestoreEnergy(path string) error {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var f energyFile
	if err := json.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	saved := map[byte]devices.Energy{}
	for id, e := range f.Boilers {
		n, err := strconv.ParseUint(id, 0, 7)
		if err != nil || e.Heat < 0 || e.DHW < 0 {
			return fmt.Errorf("%s: bad entry %q", path, id)
		}
		saved[byte(n)] = devices.Energy{Heat: e.Heat, DHW: e.DHW}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.savedEnergy = saved
	for i, d := range s.devices {
		s.restoreEnergy(d, &s.states[i])
	}
	return nil
}

// restoreEnergy gives a device what was saved for it; s.mu is held.
func (s *Store) restoreEnergy(d *devices.Device, st *devices.State) {
	if e, ok := s.savedEnergy[d.ID]; ok {
		d.RestoreEnergy(st, e)
		s.writes++
	}
}

// SaveEnergy writes every boiler's energy to path, replacing the file at
// once (a crash leaves the old or the new file, never half of one).
func (s *Store) SaveEnergy(path string) error {
	f := energyFile{Boilers: map[string]savedEnergy{}}
	s.mu.RLock()
	for i, d := range s.devices {
		if e, ok := d.Energy(&s.states[i]); ok {
			f.Boilers[fmt.Sprintf("0x%02X", d.ID)] = savedEnergy{Heat: e.Heat, DHW: e.DHW}
		}
	}
	s.mu.RUnlock()
	if len(f.Boilers) == 0 {
		return nil // nothing to keep; an earlier file stays
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".energy-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
