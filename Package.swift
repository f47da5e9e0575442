// swift-tools-version:6.0
//
// saveimg: a toolkit for libvirt's QEMU save images.
//
// System libraries (install with scripts/install-deps.sh):
//   libxml2 (pkg-config libxml-2.0), zlib (pkg-config zlib), liblzma, libzstd,
//   libbz2, OpenSSL's libcrypto (pkg-config libcrypto, Debian libssl-dev),
//   Intel ISA-L's igzip (pkg-config libisal, Debian libisal-dev).
import PackageDescription

let package = Package(
    name: "saveimg",
    products: [
        .library(name: "SaveImage", targets: ["SaveImage"]),
        .executable(name: "saveimg", targets: ["saveimg"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CLZMA",
            pkgConfig: "liblzma",
            providers: [.apt(["liblzma-dev"])]
        ),
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .systemLibrary(
            name: "CBZip2",
            providers: [.apt(["libbz2-dev"])]
        ),
        // OpenSSL's libcrypto: SHA-256 of the raw stream for `check --deep` and `seal`.
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // Intel ISA-L (igzip): the gzip encoder's blocks at --level 1-6 and the gzip decoder.
        .systemLibrary(
            name: "CIsal",
            pkgConfig: "libisal",
            providers: [.apt(["libisal-dev"])]
        ),
        // The one place that calls GNU-only libc functions (copy_file_range,
        // fallocate) that Swift's Glibc module does not export.
        .target(name: "CSaveImageShims"),
        .target(
            name: "SaveImage",
            dependencies: [
                "CLibXML2",
                "CZlib",
                "CLZMA",
                "CZstd",
                "CBZip2",
                "CCrypto",
                "CIsal",
                "CSaveImageShims",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .executableTarget(
            name: "saveimg",
            dependencies: [
                "SaveImage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // libFuzzer target over the read path (scripts/fuzz.sh builds it with
        // -sanitize=fuzzer,address -DSAVEIMG_FUZZ; otherwise it is a stub).
        .target(name: "CFuzzDriver"),
        .executableTarget(name: "saveimg-fuzz", dependencies: ["SaveImage", "CFuzzDriver"]),
        .testTarget(
            name: "SaveImageTests",
            dependencies: ["SaveImage"],
            resources: []
        ),
    ],
    swiftLanguageModes: [.v6]
)
