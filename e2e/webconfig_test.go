package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// TestWebConfigFile serves with a web configuration file (TLS and basic
// auth): no credentials 401, credentials 200, plain HTTP refused.
func TestWebConfigFile(t *testing.T) {
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "emsd test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	certFile := write("cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	keyFile := write("key.pem", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	config := write("web.yml", []byte("tls_server_config:\n  cert_file: "+certFile+"\n  key_file: "+keyFile+
		"\nbasic_auth_users:\n  prometheus: "+string(hash)+"\n"))

	addr := freeAddr(t)
	start(t, buildEmsd(t), "--web.listen-address="+addr, "--web.config.file="+config)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	status := func(c *http.Client, url string, auth bool) int {
		req, _ := http.NewRequest("GET", url, nil)
		if auth {
			req.SetBasicAuth("prometheus", "s3cret")
		}
		resp, err := c.Do(req)
		if err != nil {
			return -1
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	base := "https://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for status(client, base+"/api/system", true) != 200 {
		if time.Now().After(deadline) {
			t.Fatal("emsd never answered over TLS")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := status(client, base+"/api/boiler/metrics", false); got != 401 {
		t.Errorf("without credentials: %d, want 401", got)
	}
	if got := status(client, base+"/metrics", true); got != 200 {
		t.Errorf("with credentials: %d, want 200", got)
	}
	if got := status(http.DefaultClient, "http://"+addr+"/api/system", true); got == 200 {
		t.Errorf("plain HTTP on the TLS port answered 200")
	}
}
