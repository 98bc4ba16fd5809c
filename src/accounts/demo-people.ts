/**
 * The names of the demo's crowd of users (`demo --sessions`): firstname.lastname@<org slug>, as an
 * enterprise's directory would have them, in an order that mixes first and last names.
 */
const FIRST_NAMES: readonly string[] = `
  olivia liam emma noah amelia oliver sophia elijah isabella lucas
  mia mateo charlotte leo ava hugo lena jonas chloe louis
  ines gabriel alice arthur julia felix sara emil nora oscar
  maja elias freya anton ingrid lars sofia marco giulia luca
  lucia pablo carmen diego ana joao beatriz tiago yuki haruto
  sakura ren mei wei jia hao min-jun seo-yeon ji-ho aarav
  priya arjun ananya rohan fatima omar layla youssef amira karim
  zanele thabo amara kwame chidi ngozi ivan olga dmitri anya
  mehmet elif can zeynep jakub zuzana tomas petra mikael aino
  sean aoife ryan grace ethan zoe daniel hannah samuel leila
`
  .trim()
  .split(/\s+/);

const LAST_NAMES: readonly string[] = `
  smith johnson williams brown jones garcia miller davis rodriguez martinez
  wilson anderson taylor thomas moore martin jackson white harris clark
  muller schmidt schneider fischer weber meyer wagner becker hoffmann koch
  dubois lefebvre moreau laurent bernard rossi russo ferrari esposito bianchi
  fernandez lopez gonzalez sanchez perez silva santos oliveira costa pereira
  jansen devries bakker visser nielsen hansen andersen johansson karlsson nilsson
  virtanen korhonen novak kowalski nowak horvat ivanov petrov popescu yilmaz
  kaya sato suzuki takahashi tanaka watanabe wang li zhang liu
  chen kim lee park choi nguyen tran sharma patel singh
  khan haddad mansour okafor mensah dlamini obrien murphy kelly walsh
`
  .trim()
  .split(/\s+/);

const COMBINATIONS = FIRST_NAMES.length * LAST_NAMES.length;
/** Coprime with COMBINATIONS: consecutive users get unrelated first and last names. */
const STRIDE = 7_919;

/** The i-th demo username of the org; past the 10,000 combinations, a number tells namesakes apart. */
export function demoUsername(index: number, slug: string): string {
  const combination = (index * STRIDE) % COMBINATIONS;
  const first = FIRST_NAMES[combination % FIRST_NAMES.length] as string;
  const last = LAST_NAMES[Math.floor(combination / FIRST_NAMES.length)] as string;
  const round = Math.floor(index / COMBINATIONS);
  return `${first}.${last}${round === 0 ? '' : round + 1}@${slug}`;
}

const CROWD_NAME = new RegExp(
  `^(?:${FIRST_NAMES.join('|')})\\.(?:${LAST_NAMES.join('|')})(?:[2-9]|[1-9]\\d+)?@(.+)$`,
);

/** Whether a username is one `demoUsername` gives for this slug (the demo tells its users from an org's own). */
export function isDemoUsername(username: string, slug: string): boolean {
  return CROWD_NAME.exec(username)?.[1] === slug;
}
