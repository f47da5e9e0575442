extension SaveImage {
    /// The secrets in the stored domain XML (see ``DomainSecret``).
    public var domainSecrets: [DomainSecret] { DomainSecrets.find(in: region.domainXML.bytes) ?? [] }

    /// The domain XML as stored, or, unless `securityInfo`, with its secrets
    /// removed and every other byte as stored (what `virsh
    /// save-image-dumpxml` hides without `--security-info`).
    public func domainXML(securityInfo: Bool) throws(SaveImageError) -> [UInt8] {
        let bytes = region.domainXML.bytes
        return securityInfo ? bytes : try DomainSecrets.hiding(in: bytes, path: path, offset: region.domainXML.fileOffset)
    }
}
