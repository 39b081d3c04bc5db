declare const Yoga: unknown;
export default Yoga;
