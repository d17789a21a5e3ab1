/// The parts of an ARN, `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`,
/// borrowed from its text (the resource may hold more colons).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    pub fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let (partition, service, region, account) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        Some(Self { partition, service, region, account, resource: parts.next()? })
    }

    /// One of the partitions IAM principals and policies live in.
    pub fn in_known_partition(&self) -> bool {
        matches!(self.partition, "aws" | "aws-cn" | "aws-us-gov")
    }
}

#[cfg(test)]
mod tests {
    use super::Arn;

    #[test]
    fn the_six_parts_are_read_and_the_resource_keeps_its_colons() {
        let arn = Arn::parse("arn:aws:sts::111111111111:assumed-role/R/s:x").unwrap();
        assert_eq!(
            (arn.partition, arn.service, arn.region, arn.account, arn.resource),
            ("aws", "sts", "", "111111111111", "assumed-role/R/s:x")
        );
        assert!(arn.in_known_partition());
        assert_eq!(Arn::parse("arn:aws:iam::1"), None);
        assert_eq!(Arn::parse("urn:aws:iam::1:role/r"), None);
    }
}
