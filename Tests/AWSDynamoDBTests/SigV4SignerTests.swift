import Foundation
import NIOHTTP1
import XCTest

@testable import AWSDynamoDB

/// Known-answer tests from AWS's published Signature Version 4 test suite
/// (`aws-sig-v4-test-suite`, also shipped as botocore's `tests/unit/auth/aws4_testsuite`):
/// credentials AKIDEXAMPLE, region us-east-1, service `service`, 2015-08-30T12:36:00Z.
/// Each test checks the suite's `.creq` (canonical request), `.sts` (string to sign) and
/// `.authz` (Authorization header) files.
final class SigV4SignerTests: XCTestCase {
    static let suiteCredentials = AWSCredentials(
        accessKeyID: "AKIDEXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    )
    /// 20150830T123600Z.
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)
    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// The session token of `post-sts-token`.
    static let suiteSessionToken =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="

    private func signSuiteRequest(
        method: String,
        url: String = "https://example.amazonaws.com/",
        headers: [(String, String)] = [],
        body: String = "",
        sessionToken: String? = nil
    ) -> SigV4Signer.SignedRequest {
        var credentials = Self.suiteCredentials
        credentials.sessionToken = sessionToken
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
        // The suite's .req files carry Host explicitly.
        var httpHeaders = HTTPHeaders([("Host", "example.amazonaws.com")])
        httpHeaders.add(contentsOf: headers)
        return signer.sign(method: method, url: URL(string: url)!, headers: httpHeaders, body: Array(body.utf8), date: Self.suiteDate)
    }

    func testGetVanilla() {
        let signed = signSuiteRequest(method: "GET")
        XCTAssertEqual(
            signed.canonicalRequest,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(Self.emptyPayloadHash)"
        )
        XCTAssertEqual(
            signed.stringToSign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
                + "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
        )
        XCTAssertEqual(signed.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        XCTAssertEqual(
            signed.headers["Authorization"],
            ["AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=host;x-amz-date, "
                + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"]
        )
        XCTAssertEqual(signed.headers["X-Amz-Date"], ["20150830T123600Z"])
    }

    func testGetVanillaQueryOrderKeyCase() {
        let signed = signSuiteRequest(method: "GET", url: "https://example.amazonaws.com/?Param2=value2&Param1=value1")
        XCTAssertEqual(
            signed.canonicalRequest,
            "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                + "host;x-amz-date\n\(Self.emptyPayloadHash)"
        )
        XCTAssertEqual(
            signed.stringToSign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
                + "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0"
        )
        XCTAssertEqual(signed.signature, "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
    }

    func testPostVanilla() {
        let signed = signSuiteRequest(method: "POST")
        XCTAssertEqual(
            signed.canonicalRequest,
            "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(Self.emptyPayloadHash)"
        )
        XCTAssertEqual(
            signed.stringToSign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
                + "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87"
        )
        XCTAssertEqual(
            signed.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=host;x-amz-date, "
                + "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        )
    }

    func testPostXWWWFormURLEncoded() {
        let signed = signSuiteRequest(
            method: "POST",
            headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: "Param1=value1"
        )
        XCTAssertEqual(
            signed.canonicalRequest,
            "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
                + "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
                + "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
        )
        XCTAssertEqual(
            signed.stringToSign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
                + "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281"
        )
        XCTAssertEqual(
            signed.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date, "
                + "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
        )
    }

    /// `post-sts-token/post-sts-header-before`: the token is a signed header.
    func testPostSTSHeaderBefore() {
        let signed = signSuiteRequest(method: "POST", sessionToken: Self.suiteSessionToken)
        XCTAssertEqual(
            signed.canonicalRequest,
            "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"
                + "x-amz-security-token:\(Self.suiteSessionToken)\n\n"
                + "host;x-amz-date;x-amz-security-token\n\(Self.emptyPayloadHash)"
        )
        XCTAssertEqual(
            signed.stringToSign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
                + "c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6"
        )
        XCTAssertEqual(
            signed.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=host;x-amz-date;x-amz-security-token, "
                + "Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"
        )
        XCTAssertEqual(signed.headers["X-Amz-Security-Token"], [Self.suiteSessionToken])
    }

    // MARK: Rules beyond the vectors

    func testHostIsDerivedFromURLWithNonDefaultPortOnly() {
        let signer = SigV4Signer(credentials: Self.suiteCredentials, region: "us-east-1", service: "dynamodb")
        let local = signer.sign(method: "POST", url: URL(string: "http://127.0.0.1:8000/")!, date: Self.suiteDate)
        XCTAssertEqual(local.headers["Host"], ["127.0.0.1:8000"])
        let aws = signer.sign(method: "POST", url: URL(string: "https://dynamodb.us-east-1.amazonaws.com:443")!, date: Self.suiteDate)
        XCTAssertEqual(aws.headers["Host"], ["dynamodb.us-east-1.amazonaws.com"])
        XCTAssertTrue(aws.canonicalRequest.hasPrefix("POST\n/\n\nhost:dynamodb.us-east-1.amazonaws.com\n"))
    }

    func testHeaderValuesAreTrimmedCollapsedAndRepeatedHeadersJoined() {
        let headers = HTTPHeaders([("My-Header1", "  a   b\t c  "), ("my-header1", "second"), ("Host", "h")])
        let (block, signed) = SigV4Signer.canonicalHeaders(headers)
        XCTAssertEqual(block, "host:h\nmy-header1:a b c,second\n")
        XCTAssertEqual(signed, "host;my-header1")
    }

    func testUnsignedHeadersAreSentButNotSigned() {
        let signer = SigV4Signer(credentials: Self.suiteCredentials, region: "us-east-1", service: "service")
        let headers = HTTPHeaders([("Host", "example.amazonaws.com"), ("User-Agent", "x"), ("X-Amzn-Trace-Id", "t")])
        let signed = signer.sign(method: "GET", url: URL(string: "https://example.amazonaws.com/")!, headers: headers, date: Self.suiteDate)
        XCTAssertEqual(signed.signedHeaders, "host;x-amz-date")
        // Same signature as get-vanilla: the extra headers do not change it.
        XCTAssertEqual(signed.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        XCTAssertEqual(signed.headers["User-Agent"], ["x"])
    }

    func testSigningReplacesStaleSignatureHeaders() {
        let signer = SigV4Signer(credentials: Self.suiteCredentials, region: "us-east-1", service: "service")
        let stale = HTTPHeaders([
            ("Host", "example.amazonaws.com"), ("Authorization", "old"), ("X-Amz-Date", "19990101T000000Z"),
        ])
        let signed = signer.sign(method: "GET", url: URL(string: "https://example.amazonaws.com/")!, headers: stale, date: Self.suiteDate)
        XCTAssertEqual(signed.headers["Authorization"].count, 1)
        XCTAssertEqual(signed.headers["X-Amz-Date"], ["20150830T123600Z"])
        XCTAssertEqual(signed.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    func testCanonicalURIEncodesSegmentsTwiceAndNormalizes() {
        let url = URL(string: "https://example.amazonaws.com/a/./b/../c%20d/%E1%88%B4/")!
        XCTAssertEqual(SigV4Signer.canonicalURI(url), "/a/c%2520d/%25E1%2588%25B4/")
        XCTAssertEqual(SigV4Signer.canonicalURI(URL(string: "https://example.amazonaws.com")!), "/")
    }

    func testCanonicalQueryEncodesAndSorts() {
        let url = URL(string: "https://example.amazonaws.com/?b=2&a=x%20y&A=0&flag&c=%7E*")!
        XCTAssertEqual(SigV4Signer.canonicalQuery(url), "A=0&a=x%20y&b=2&c=~%2A&flag=")
    }

    func testAmzDateIsUTC() {
        let (timestamp, day) = SigningPrimitives.amzDate(Date(timeIntervalSince1970: 1_714_566_896))
        XCTAssertEqual(timestamp, "20240501T123456Z")
        XCTAssertEqual(day, "20240501")
    }
}
