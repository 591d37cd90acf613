/* Sample inputs for each task, so a first visit can try the workbench without a document of
 * its own. Written for this page (no third-party text). */

const PATENT = `Title: Bicycle lock unlocked by a fingerprint

BACKGROUND
Bicycle locks are opened with keys or combinations, which are lost or forgotten.

SUMMARY
A bicycle lock has a shackle and a lock body with a notch. A motor in the lock body retracts a locking pin from the notch in the shackle when a fingerprint sensor on the lock body reads an enrolled fingerprint. A microcontroller compares the fingerprint with stored templates and drives the motor. A rechargeable battery powers the motor and the microcontroller.

DETAILED DESCRIPTION
The shackle is made of hardened steel and its free end enters the notch. The locking pin is biased into the notch by a spring. When the microcontroller matches a fingerprint, it runs the motor for 200 ms, which pulls the locking pin out of the notch against the spring, and the shackle can be lifted. The battery is charged through a USB port in the lock body.

CLAIMS
1. A bicycle lock comprising: a shackle; a lock body with a notch; a locking pin; a motor that retracts the locking pin from the notch; and a fingerprint sensor on the lock body.
2. The bicycle lock of claim 1, wherein the shackle is made of hardened steel.
3. The bicycle lock of claim 1, further comprising a rechargeable battery that powers the motor.`;

const DISCLOSURE = "A desk lamp has a weighted base, an arm hinged to the base, and a shade " +
  "held by the arm. A dimmer in the base sets the brightness of a light source in the shade. " +
  "The shade may be made of glass. The arm can include a spring that balances the shade.";

const CLAIMS = `1. A desk lamp comprising: a weighted base; an arm hinged to the base; and a shade held by the arm.
2. The desk lamp of claim 1, wherein the dimmer sets the brightness of the light source.
3. The desk lamp of claim 2, wherein the shade is made of glass.
4. The desk lamp of claim 5, wherein the arm includes a spring.`;

export const SAMPLES = {
  patent: { form: "summarize-form", fields: { "patent-text": PATENT } },
  disclosure: { form: "draft-form", fields: { "disclosure-text": DISCLOSURE } },
  claims: { form: "check-form", fields: { "claims-text": CLAIMS, "description-text": DISCLOSURE } },
};
