//! The SSRF guard: a webhook may only reach public addresses. Checked at registration on the
//! literal host and every address its name resolves to, and again at delivery on the very
//! addresses connected to (the resolver below), so DNS rebinding cannot slip in.
//! `FACTORY_WEBHOOK_ALLOW_PRIVATE=1` turns it off (tests, a receiver on the same network).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

pub const MAX_URL_LEN: usize = 2048;
/// How long registration waits for a name to resolve.
const RESOLVE_WAIT: Duration = Duration::from_secs(3);

/// Why `ip` is no place for a webhook, or `None` for a public address.
pub fn forbidden(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_private() {
        Some("a private address")
    } else if ip.is_link_local() {
        Some("a link-local address (cloud metadata lives there)")
    } else if a == 0 {
        Some("an unspecified address")
    } else if a == 100 && (64..128).contains(&b) {
        Some("a shared (CGNAT) address")
    } else if ip.is_multicast() || ip.is_broadcast() || a >= 240 {
        Some("a multicast, broadcast or reserved address")
    } else {
        None
    }
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_unspecified() {
        Some("an unspecified address")
    } else if let Some(v4) = ip.to_ipv4_mapped() {
        forbidden_v4(v4)
    } else if first & 0xfe00 == 0xfc00 {
        Some("a private address")
    } else if first & 0xffc0 == 0xfe80 || first & 0xffc0 == 0xfec0 {
        Some("a link-local address")
    } else if ip.is_multicast() {
        Some("a multicast, broadcast or reserved address")
    } else if first == 0 || (first == 0x64 && ip.segments()[1] == 0xff9b) {
        // IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::/96) addresses carry an IPv4 one.
        let [.., c, d] = ip.segments();
        forbidden_v4(Ipv4Addr::from((u32::from(c) << 16) | u32::from(d)))
    } else {
        None
    }
}

/// Checks a webhook URL as registered: absolute http(s), no credentials, not too long, and
/// (unless `allow_private`) a host whose every address is public.
pub async fn check_url(raw: &str, allow_private: bool) -> Result<Url, String> {
    if raw.len() > MAX_URL_LEN {
        return Err(format!("url must be at most {MAX_URL_LEN} characters"));
    }
    let url = Url::parse(raw.trim()).map_err(|e| format!("url must be an absolute http or https URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("url must use http or https".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("url must not carry a user name or password (they would show in the webhook list)".into());
    }
    let host = url.host_str().ok_or("url must name a host")?.to_owned();
    if allow_private {
        return Ok(url);
    }
    let refuse = |ip: IpAddr, why: &str| {
        Err(format!(
            "url host {host} is {why} ({ip}); webhook targets must be public unless FACTORY_WEBHOOK_ALLOW_PRIVATE=1"
        ))
    };
    // RFC 6761: every `localhost` name is loopback, whatever a resolver here makes of it.
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        return refuse(IpAddr::V4(Ipv4Addr::LOCALHOST), "a loopback name");
    }
    if let Some(ip) = literal_ip(&url) {
        return match forbidden(ip) {
            Some(why) => refuse(ip, why),
            None => Ok(url),
        };
    }
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs: Vec<SocketAddr> = tokio::time::timeout(RESOLVE_WAIT, tokio::net::lookup_host((host.as_str(), port)))
        .await
        .map_err(|_| format!("url host {host} did not resolve in time"))?
        .map_err(|_| format!("url host {host} does not resolve"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("url host {host} does not resolve"));
    }
    for addr in addrs {
        if let Some(why) = forbidden(addr.ip()) {
            return refuse(addr.ip(), why);
        }
    }
    Ok(url)
}

/// The host of `url` when it is an address rather than a name (a resolver never sees those).
pub fn literal_ip(url: &Url) -> Option<IpAddr> {
    // The URL parser has already turned every numeric IPv4 form (`2130706433`, `0x7f.1`) into
    // dotted decimal, and brackets IPv6: what parses as an address here is one.
    let host = url.host_str()?;
    host.trim_start_matches('[').trim_end_matches(']').parse().ok()
}

/// The delivery client's resolver: only public addresses come out of it, so the connection is
/// made to an address that was checked, not to whatever a second lookup would say.
#[derive(Clone, Copy, Debug)]
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|a| forbidden(a.ip()).is_none()).collect();
            if public.is_empty() {
                return Err("the host has no public address".into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn classifier_refuses_every_non_public_range() {
        for bad in [
            "127.0.0.1",
            "127.255.0.9",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "100.64.0.1",
            "100.127.255.254",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "fec0::1",
        ] {
            assert!(forbidden(ip(bad)).is_some(), "{bad} passed");
        }
        for good in [
            "1.1.1.1",
            "93.184.215.14",
            "100.63.255.255",
            "100.128.0.1",
            "172.32.0.1",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
        ] {
            assert_eq!(forbidden(ip(good)), None, "{good} refused");
        }
    }

    #[tokio::test]
    async fn urls_are_checked_on_their_literal_host_and_resolved_names() {
        for bad in [
            "http://localhost/x",
            "http://127.0.0.1:9/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://0.0.0.0/",
            "http://169.254.169.254/latest/meta-data",
            "http://10.1.2.3/",
            "http://2130706433/",
            "http://0x7f.1/",
        ] {
            assert!(check_url(bad, false).await.is_err(), "{bad} passed");
            assert!(check_url(bad, true).await.is_ok(), "{bad} refused with private allowed");
        }
        assert!(check_url("https://1.1.1.1/hook", false).await.is_ok());
        let long = format!("https://1.1.1.1/{}", "a".repeat(MAX_URL_LEN));
        assert!(check_url(&long, true).await.unwrap_err().contains("at most 2048"));
        assert!(
            check_url("ftp://1.1.1.1/", true)
                .await
                .unwrap_err()
                .contains("http or https")
        );
        assert!(
            check_url("https://u:p@1.1.1.1/", true)
                .await
                .unwrap_err()
                .contains("password")
        );
        assert!(check_url("/relative", true).await.is_err());
    }
}
