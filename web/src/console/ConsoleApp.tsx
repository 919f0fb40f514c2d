export default function ConsoleApp() {
  return <p>console</p>;
}
