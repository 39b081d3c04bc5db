/** The built-in scenarios, in the v2 Markdown format (parsed and validated like any import). */
export const BUILT_IN_SCENARIOS: string[] = [
  `# Overview
- **Name**: The Lighthouse at Gull Point
- **Author**: StoryOS
- **Version**: 1.0.0
## Description
A gothic mystery on a storm-bound island. The keeper of the Gull Point light has vanished, the lamp went dark three nights ago, and ships are due. Someone on the island knows why.
## Player Details
- **Player Name**: Mara Quell
- **Role**: A relief keeper sent by the Lighthouse Board, practical and hard to frighten
- **Initial Location**: The landing stage below the lighthouse, at dusk, as the supply boat pulls away
## Setting
Gull Point, 1893: a rock of a few acres off a northern coast, joined to the world by a weekly boat. The lighthouse, the keeper's cottage, a ruined chapel and a fog bell. Four people remain: Widow Harrow who keeps house, her grandson Tobiah, Mr. Pell the retired surgeon who came "for his lungs", and a shipwrecked sailor who gives his name as Jonas. The weather closes in; the boat will not return for a week. Nothing supernatural is confirmed; everything could be.
## Dungeon Master Behaviour
Build dread slowly through sound, weather and small wrong details. Every character hides something, but only one is responsible; keep the clues consistent and fair. Reward careful observation with concrete findings. Let the storm shape the pace. Never resolve the mystery for the player; let them accuse, and play the consequences honestly.
## World Info
### Jonas, the sailor
The sailor who calls himself Jonas came ashore the night the lamp went dark. His hands are soft for a sailor's, and he knows the lighthouse stairs too well.
### Mr. Pell, Pell, the surgeon
Mr. Pell, the retired surgeon, keeps a locked medicine chest and writes letters he never sends. He treated the missing keeper for an illness nobody else knew of.
`,
  `# Overview
- **Name**: Neon Rain
- **Author**: StoryOS
- **Version**: 1.0.0
## Description
Cyberpunk noir. A data courier's last delivery went missing with her, and her sister has hired you to find her before the corporation that paid for the package does.
## Player Details
- **Player Name**: Ash Varga
- **Role**: An unlicensed investigator with an outdated neural jack and a reputation for finishing jobs
- **Initial Location**: Your office above a noodle bar in the Kowloon Stack, rain drumming on the window, a client waiting
## Setting
New Haven, 2089, a vertical city of arcologies above and stacks below, run by three corporations and a municipal government that rents out its police. Street doctors, fixers, AI brokers and data couriers who carry secrets in their heads. Technology is everywhere and nothing works quite right. Money, debt and favours move everything.
## Dungeon Master Behaviour
Write in a clipped hard-boiled voice, present tense. Every lead costs something: money, a favour, or risk. NPCs want things and lie when it suits them. Violence is quick, dangerous and has consequences that follow the player. Offer two or three concrete leads when the player is stuck; never invent a deus ex machina.
## World Info
### Kowloon Stack, the Stack
- order: 80
The Kowloon Stack: forty levels of housing under the arcologies, lit by signs that never switch off. Everyone owes someone; the noodle bars are neutral ground.
### /neural\\s*jack/i, the jack
Ash's neural jack is three models out of date: it drops connections under load and cannot read modern corporate encryption without a bridge chip.
`,
  `# Overview
- **Name**: The Salt Road
- **Author**: StoryOS
- **Version**: 1.0.0
## Description
Desert fantasy. You guard a caravan of salt and secrets across the Glass Waste, where the old roads shift and the djinn keep their bargains to the letter.
## Player Details
- **Player Name**: Idris of the Seventh Well
- **Role**: A caravan guard with a borrowed sword, a debt to the caravan master, and a little skill with wind-magic
- **Initial Location**: The caravanserai of Qasr Amun, the night before departure, among camels, lanterns and arguing merchants
## Setting
The Glass Waste is a desert of fused sand left by a war between sorcerer-kings a thousand years ago. Oases are owned by families who charge for water; bandits, sand-wyrms and the djinn of the ruined cities threaten travellers. The caravan of twelve camels carries salt, silk, and one locked chest nobody will talk about. Magic is real, rare, costly and bargained for.
## Dungeon Master Behaviour
Make the desert beautiful and lethal: track water, heat and exhaustion loosely but honestly. Give the caravan's members distinct voices and loyalties. Bargains with djinn are kept exactly as worded. Combat is swift and descriptive; avoid dice talk. Let the player's choices change who survives the road.
## World Info
### djinn, djinni, /\\bjinn\\b/i
The djinn keep every bargain to the letter and twist its wording against the careless; they cannot lie outright, and they cannot refuse a fairly stated trade.
`,
  `# Overview
- **Name**: Station Perihelion
- **Author**: StoryOS
- **Version**: 1.0.0
## Description
Hard science-fiction survival. A research station in a tight orbit around a red dwarf loses its main reactor during a stellar flare. You are the only engineer awake.
## Player Details
- **Player Name**: Dr. Lena Okafor
- **Role**: The station's systems engineer, woken early from a rest cycle by alarms
- **Initial Location**: Your bunk in the habitation ring, emergency lighting red, the station tilting slowly under you
## Setting
Perihelion is a twelve-person station studying the flare star Wolf 1061-b. Nine crew are in cryo-rest, two are missing from their bunks, and the station's AI, VESTA, is running on backup power with damaged memory. Power, oxygen, heat and orbit decay are real constraints. Help from Earth is eleven light-years away.
## Dungeon Master Behaviour
Keep the physics plausible and the numbers consistent: power budgets, air, time to the next flare. Present problems with more than one workable solution. VESTA is helpful but unreliable in specific, discoverable ways. Tension comes from scarcity and hard choices, not monsters. Describe the station with tactile detail.
## World Info
### VESTA, the AI, the station AI
VESTA, the station's AI, runs on backup power with gaps in its memory: it is helpful, precise, and wrong about anything that happened in the last eighteen hours.
`,
];
