package signature_test

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/discord-chatops/chatops/shared/discord/signature"
	"github.com/discord-chatops/chatops/shared/discord/signature/signaturetest"
)

// ts is the signed timestamp of these tests, as Discord sends it: unix seconds of
// 2025-11-20T09:00:00Z, which now returns.
const ts = "1763629200"

func now() time.Time { return time.Unix(1763629200, 0) }

func pingBody(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/interactions/ping.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNewVerifier(t *testing.T) {
	t.Parallel()
	good := signaturetest.NewSigner(1).PublicKeyHex()
	tests := []struct {
		name    string
		key     string
		wantErr bool
	}{
		{"valid", good, false},
		{"upper case hex", strings.ToUpper(good), false},
		{"empty", "", true},
		{"not hex", strings.Repeat("zz", 32), true},
		{"odd length", good[:63], true},
		{"too short", good[:62], true},
		{"too long", good + "00", true},
		{"private key length", strings.Repeat("00", 64), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := signature.NewVerifier(tt.key)
			if (err != nil) != tt.wantErr {
				t.Fatalf("NewVerifier(%q) error = %v, wantErr %v", tt.key, err, tt.wantErr)
			}
			if (v == nil) != tt.wantErr {
				t.Errorf("NewVerifier(%q) = %v with error %v", tt.key, v, err)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	signer := signaturetest.NewSigner(1)
	v, err := signature.NewVerifier(signer.PublicKeyHex())
	if err != nil {
		t.Fatal(err)
	}
	body := pingBody(t)
	sig := signer.Sign(ts, body)
	otherSig := signaturetest.NewSigner(2).Sign(ts, body)
	flipped := []byte(sig)
	flipped[10] ^= 0x01 // still hex: '0'-'9' and 'a'-'f' differ from their neighbour in the low bit
	tests := []struct {
		name    string
		sig, ts string
		body    []byte
		now     time.Time
		want    error // nil, or the specific sentinel; every error must also wrap ErrInvalid
	}{
		{name: "valid", sig: sig, ts: ts, body: body, now: now()},
		{name: "upper-case hex signature", sig: strings.ToUpper(sig), ts: ts, body: body, now: now()},
		{name: "clock 5 minutes ahead of Discord", sig: sig, ts: ts, body: body, now: now().Add(5 * time.Minute)},
		{name: "clock 5 minutes behind Discord", sig: sig, ts: ts, body: body, now: now().Add(-5 * time.Minute)},
		{name: "no signature", sig: "", ts: ts, body: body, now: now(), want: signature.ErrMissing},
		{name: "no timestamp", sig: sig, ts: "", body: body, now: now(), want: signature.ErrMissing},
		{name: "signature too short", sig: sig[:126], ts: ts, body: body, now: now(), want: signature.ErrMalformed},
		{name: "signature too long", sig: sig + "00", ts: ts, body: body, now: now(), want: signature.ErrMalformed},
		{name: "signature not hex", sig: "g" + sig[1:], ts: ts, body: body, now: now(), want: signature.ErrMalformed},
		{name: "timestamp in milliseconds", sig: signer.Sign(ts+"000", body), ts: ts + "000", body: body, now: now(), want: signature.ErrMalformed},
		{name: "timestamp of the epoch", sig: signer.Sign("0", body), ts: "0", body: body, now: now(), want: signature.ErrStale},
		{name: "timestamp not a number", sig: sig, ts: "yesterday", body: body, now: now(), want: signature.ErrMalformed},
		{name: "timestamp signed", sig: sig, ts: "+" + ts, body: body, now: now(), want: signature.ErrMalformed},
		{name: "timestamp RFC 3339", sig: sig, ts: now().Format(time.RFC3339), body: body, now: now(), want: signature.ErrMalformed},
		{name: "timestamp overflowing int64", sig: sig, ts: "99999999999999999999", body: body, now: now(), want: signature.ErrMalformed},
		{name: "replayed after 5 minutes", sig: sig, ts: ts, body: body, now: now().Add(5*time.Minute + time.Second), want: signature.ErrStale},
		{name: "from the future", sig: sig, ts: ts, body: body, now: now().Add(-5*time.Minute - time.Second), want: signature.ErrStale},
		{name: "body changed", sig: sig, ts: ts, body: append([]byte(" "), body...), now: now(), want: signature.ErrBadSignature},
		{name: "timestamp changed", sig: sig, ts: strconv.FormatInt(now().Unix()+1, 10), body: body, now: now(), want: signature.ErrBadSignature},
		{name: "one bit flipped", sig: string(flipped), ts: ts, body: body, now: now(), want: signature.ErrBadSignature},
		{name: "another key", sig: otherSig, ts: ts, body: body, now: now(), want: signature.ErrBadSignature},
		{name: "all zero", sig: strings.Repeat("0", 128), ts: ts, body: body, now: now(), want: signature.ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := v.Verify(tt.sig, tt.ts, tt.body, tt.now)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("Verify error = %v, want %v", err, tt.want)
			}
			if !errors.Is(err, signature.ErrInvalid) {
				t.Errorf("Verify error %v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestVerifyZeroVerifier(t *testing.T) {
	t.Parallel()
	signer := signaturetest.NewSigner(1)
	body := pingBody(t)
	var zero signature.Verifier
	if err := zero.Verify(signer.Sign(ts, body), ts, body, now()); !errors.Is(err, signature.ErrInvalid) {
		t.Errorf("zero Verifier: error = %v, want one wrapping ErrInvalid", err)
	}
	var none *signature.Verifier
	if err := none.Verify(signer.Sign(ts, body), ts, body, now()); !errors.Is(err, signature.ErrInvalid) {
		t.Errorf("nil Verifier: error = %v, want one wrapping ErrInvalid", err)
	}
}

func TestSignerMatchesEd25519(t *testing.T) {
	t.Parallel()
	s := signaturetest.NewSigner(7)
	key := ed25519.NewKeyFromSeed([]byte(strings.Repeat("\x07", ed25519.SeedSize)))
	if got, want := s.PublicKeyHex(), hex.EncodeToString(key.Public().(ed25519.PublicKey)); got != want {
		t.Errorf("PublicKeyHex = %s, want %s", got, want)
	}
	if got, want := s.Sign("1", []byte("{}")), hex.EncodeToString(ed25519.Sign(key, []byte("1{}"))); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	if signaturetest.NewSigner(7).PublicKeyHex() != s.PublicKeyHex() {
		t.Error("the same seed gave two keys")
	}
	if signaturetest.NewSigner(8).PublicKeyHex() == s.PublicKeyHex() {
		t.Error("two seeds gave the same key")
	}
}

func FuzzVerify(f *testing.F) {
	signer := signaturetest.NewSigner(1)
	key := signer.PublicKeyHex()
	body := pingBody(f)
	f.Add(key, signer.Sign(ts, body), ts, body, now().Unix())
	f.Add(key, signer.Sign(ts, []byte("{}")), ts, []byte("{}"), now().Unix()+300)
	f.Add(key, signer.Sign(ts, nil), ts, []byte(nil), now().Unix()-301)
	f.Add(key, "", ts, body, now().Unix())
	f.Add(key, strings.Repeat("f", 128), "-1", body, int64(-1))
	f.Add(key, strings.Repeat("0", 127), "99999999999", body, int64(1)<<62)
	f.Add(key[:63], signer.Sign(ts, body), ts, body, now().Unix())
	f.Add("", "", "", []byte(nil), int64(0))
	f.Fuzz(func(t *testing.T, key, sig, ts string, body []byte, nowUnix int64) {
		v, err := signature.NewVerifier(key)
		if err != nil {
			return
		}
		err = v.Verify(sig, ts, body, time.Unix(nowUnix, 0))
		if err != nil {
			if !errors.Is(err, signature.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		// Accepted: it must be a real signature, over this timestamp and body.
		pub, _ := hex.DecodeString(key)
		raw, decErr := hex.DecodeString(sig)
		if decErr != nil || !ed25519.Verify(pub, append([]byte(ts), body...), raw) {
			t.Fatalf("accepted a signature ed25519.Verify rejects: key %q sig %q ts %q", key, sig, ts)
		}
	})
}

// BenchmarkVerify measures the acknowledgement path's check of a PING; compare it with
// BenchmarkEd25519Verify, the bare curve check of the same message.
func BenchmarkVerify(b *testing.B) {
	signer := signaturetest.NewSigner(1)
	v, err := signature.NewVerifier(signer.PublicKeyHex())
	if err != nil {
		b.Fatal(err)
	}
	body := pingBody(b)
	sig := signer.Sign(ts, body)
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Verify(sig, ts, body, now()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEd25519Verify is the floor: ed25519.Verify of the same message, with the key, the
// signature and the message already decoded and joined.
func BenchmarkEd25519Verify(b *testing.B) {
	signer := signaturetest.NewSigner(1)
	pub, _ := hex.DecodeString(signer.PublicKeyHex())
	body := pingBody(b)
	sig, _ := hex.DecodeString(signer.Sign(ts, body))
	msg := append([]byte(ts), body...)
	b.ReportAllocs()
	for b.Loop() {
		if !ed25519.Verify(pub, msg, sig) {
			b.Fatal("invalid")
		}
	}
}
