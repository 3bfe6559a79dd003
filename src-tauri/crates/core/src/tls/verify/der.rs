//! Just enough DER to find the signed bytes, the algorithm identifiers and the key or signature
//! bits of a certificate and a SubjectPublicKeyInfo, byte for byte as they were sent, so they can
//! be handed to rustls' signature algorithms.

const SEQUENCE: u8 = 0x30;
const BIT_STRING: u8 = 0x03;

struct Tlv<'a> {
    tag: u8,
    /// Header and contents, as the signature covers them.
    whole: &'a [u8],
    contents: &'a [u8],
}

/// One definite-length DER element and what follows it.
fn read_tlv(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        // 0x80 is BER's indefinite length; more than 4 length bytes is no certificate.
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (bytes, rest) = rest.split_at(count);
        let length = bytes
            .iter()
            .fold(0usize, |length, byte| (length << 8) | usize::from(*byte));
        (length, rest)
    };
    if rest.len() < length {
        return None;
    }
    let (contents, after) = rest.split_at(length);
    let header = input.len() - rest.len();
    Some((
        Tlv {
            tag,
            whole: &input[..header + length],
            contents,
        },
        after,
    ))
}

fn element(input: &[u8], tag: u8) -> Option<(Tlv<'_>, &[u8])> {
    read_tlv(input).filter(|(tlv, _)| tlv.tag == tag)
}

/// BIT STRING contents without the unused-bits byte, which must be 0 for keys and signatures.
fn bits<'a>(tlv: &Tlv<'a>) -> Option<&'a [u8]> {
    match tlv.contents.split_first() {
        Some((0, bits)) => Some(bits),
        _ => None,
    }
}

pub(crate) struct SignedCertificate<'a> {
    /// The DER of tbsCertificate, header included: what the issuer signed.
    pub signed: &'a [u8],
    /// The contents of the signatureAlgorithm SEQUENCE (OID and parameters).
    pub algorithm: &'a [u8],
    pub signature: &'a [u8],
}

pub(crate) fn signed_certificate(der: &[u8]) -> Option<SignedCertificate<'_>> {
    let (certificate, _) = element(der, SEQUENCE)?;
    let (tbs, rest) = element(certificate.contents, SEQUENCE)?;
    let (algorithm, rest) = element(rest, SEQUENCE)?;
    let (signature, rest) = element(rest, BIT_STRING)?;
    if !rest.is_empty() {
        return None;
    }
    Some(SignedCertificate {
        signed: tbs.whole,
        algorithm: algorithm.contents,
        signature: bits(&signature)?,
    })
}

pub(crate) struct PublicKey<'a> {
    /// The contents of the AlgorithmIdentifier SEQUENCE (OID and parameters).
    pub algorithm: &'a [u8],
    pub key: &'a [u8],
}

pub(crate) fn public_key(spki: &[u8]) -> Option<PublicKey<'_>> {
    let (info, _) = element(spki, SEQUENCE)?;
    let (algorithm, rest) = element(info.contents, SEQUENCE)?;
    let (key, rest) = element(rest, BIT_STRING)?;
    if !rest.is_empty() {
        return None;
    }
    Some(PublicKey {
        algorithm: algorithm.contents,
        key: bits(&key)?,
    })
}

/// The SubjectPublicKeyInfo inside a certificate, v1 or v3.
pub(crate) fn certificate_public_key_info(certificate: &[u8]) -> Option<&[u8]> {
    let (certificate, _) = element(certificate, SEQUENCE)?;
    let (tbs, _) = element(certificate.contents, SEQUENCE)?;
    let mut rest = tbs.contents;
    // The explicit [0] version is absent in v1 certificates.
    if rest.first() == Some(&0xa0) {
        rest = read_tlv(rest)?.1;
    }
    // serialNumber, signature, issuer, validity, subject
    for _ in 0..5 {
        rest = read_tlv(rest)?.1;
    }
    let (info, _) = element(rest, SEQUENCE)?;
    Some(info.whole)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn long_and_short_lengths_are_read() {
        let mut long = vec![0x04, 0x82, 0x01, 0x00];
        long.extend(std::iter::repeat_n(7u8, 256));
        long.push(0xff);
        let (tlv, rest) = read_tlv(&long).unwrap();
        assert_eq!(tlv.contents.len(), 256);
        assert_eq!(tlv.whole.len(), 260);
        assert_eq!(rest, &[0xff]);
        assert!(read_tlv(&[0x04, 0x05, 1, 2]).is_none(), "too short");
        assert!(read_tlv(&[0x30, 0x80, 0, 0]).is_none(), "indefinite length");
    }
}
