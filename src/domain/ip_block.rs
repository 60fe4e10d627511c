//! Address blocks such as `10.0.0.0/8`, as `FACTORY_TRUSTED_PROXIES` lists them.

use std::net::IpAddr;

/// An address block such as `10.0.0.0/8` or a single address.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Block {
    net: IpAddr,
    bits: u8,
}

impl Block {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let (addr, bits) = raw.trim().split_once('/').unwrap_or((raw.trim(), ""));
        let net: IpAddr = addr.parse().map_err(|_| format!("{raw}: not an IP address"))?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let bits = if bits.is_empty() {
            max
        } else {
            bits.parse().map_err(|_| format!("{raw}: bad prefix length"))?
        };
        if bits > max {
            return Err(format!("{raw}: prefix longer than {max}"));
        }
        Ok(Self { net, bits })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let prefix = |a: u128, b: u128, width: u32| {
            let shift = width - u32::from(self.bits);
            shift >= width || (a >> shift) == (b >> shift)
        };
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(i)) => prefix(u32::from(n).into(), u32::from(i).into(), 32),
            (IpAddr::V6(n), IpAddr::V6(i)) => prefix(u128::from(n), u128::from(i), 128),
            _ => false,
        }
    }
}

pub fn parse_blocks(raw: &str) -> Result<Vec<Block>, String> {
    raw.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(Block::parse)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_match_their_prefix() {
        let b = Block::parse("172.16.0.0/12").unwrap();
        assert!(b.contains("172.20.1.2".parse().unwrap()));
        assert!(!b.contains("172.32.0.1".parse().unwrap()));
        assert!(
            Block::parse("127.0.0.1")
                .unwrap()
                .contains("127.0.0.1".parse().unwrap())
        );
        assert!(Block::parse("::1").unwrap().contains("::1".parse().unwrap()));
        assert!(Block::parse("0.0.0.0/0").unwrap().contains("8.8.8.8".parse().unwrap()));
        assert!(Block::parse("10.0.0.0/33").is_err());
        assert!(parse_blocks("10.0.0.0/8, nonsense").is_err());
    }
}
